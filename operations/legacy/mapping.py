"""The mapping file (TOML): legacy table → CSV file, legacy column → portal field.
default_mapping.toml is shipped; --mapping points at an edited copy."""

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAPPING = Path(__file__).with_name("default_mapping.toml")

# The portal fields each legacy table may feed (the importer reads exactly these).
TABLE_FIELDS: dict[str, set[str]] = {
    "shop": {"legacy_id", "name", "name_kana", "address", "building", "municipality_code",
             "phone", "postcode", "benefit_title", "benefit_detail", "comment", "latitude",
             "longitude", "chain_flag", "programme_group", "opening_hours",
             "regular_holidays", "url", "nationwide_mutual_use"},
    "shop_chain": {"parent_id", "shop_id"},
    "shop_genre": {"shop_id", "genre"},
    "shop_tokuten": {"shop_id", "benefit_type"},
    "owner": {"legacy_id", "email", "password", "name", "phone"},
    "owner_shop": {"owner_id", "shop_id"},
    "users": {"legacy_id", "email", "password", "family_name", "given_name",
              "family_name_kana", "given_name_kana", "municipality_code", "due_date",
              "marriage_date", "planned_marriage_date", "child_birth_date", "member_number",
              "notify_by_email"},
    "users_genre": {"user_id", "genre"},
    "users_tokuten": {"user_id", "benefit_type"},
    "users_favorite": {"user_id", "shop_id"},
    "event": {"legacy_id", "title", "summary", "body", "starts_on", "ends_on", "time_note",
              "venue", "municipality_code", "shop_id", "organiser", "url"},
    "faminavi": {"legacy_id", "title", "summary", "body", "municipality_code", "url"},
    "faminavi_genre": {"faminavi_id", "genre"},
}
TABLE_FIELDS.update({
    # The editable copy of a shop (一時保存 or 申請中): same columns as shop, plus its status.
    "shop_temp": TABLE_FIELDS["shop"] | {"status"},
    "shop_temp_chain": {"parent_id", "shop_id"},
    "shop_temp_genre": {"shop_id", "genre"},
    "shop_temp_tokuten": {"shop_id", "benefit_type"},
    # Master code tables.
    "master": {"kind", "code", "name"},
    "faminavi_area": {"code", "name"},
    "faminavi_city": {"code", "name", "area_code", "municipality_code"},
    # Id numbering: the last id the legacy system issued.
    "users_counter": {"value"},
    "shop_counter": {"value"},
    "event_counter": {"value"},
    "owner_counter": {"value"},
    "faminavi_counter": {"value"},
})
TABLE_FIELDS["faminavi"] = TABLE_FIELDS["faminavi"] | {"area_code", "city_code"}
# Visibility (the legacy publish flag) and dates. A hidden row is imported unpublished.
for _name in ("shop", "shop_temp"):
    TABLE_FIELDS[_name] = TABLE_FIELDS[_name] | {"published", "registered_on", "updated_on"}
TABLE_FIELDS["users"] = TABLE_FIELDS["users"] | {"registered_on", "programme"}
for _name in ("event", "faminavi"):
    TABLE_FIELDS[_name] = TABLE_FIELDS[_name] | {"published"}
# Portal fields that may hold several values in one cell (a list column, `separator`).
LIST_FIELDS = {"programme_group", "programme", "area_code", "child_birth_date"}
# The key of each table's rows (duplicates follow the table's `on_duplicate` rule).
KEY_FIELDS = {"shop": "legacy_id", "owner": "legacy_id", "users": "legacy_id",
              "event": "legacy_id", "faminavi": "legacy_id", "shop_temp": "legacy_id"}
# The column that names the row's legacy record in the report (for every table).
# (A favourite is named by its member, an owner's shop by its owner.)
REFERENCE_FIELDS = ("legacy_id", "user_id", "owner_id", "faminavi_id", "shop_id", "code",
                    "value")

# Legacy counter table → (portal Counter name, the legacy table whose ids it numbers).
# users_counter continues as the member-number counter (member numbers are made from
# USERID); the others are kept as named counters, and the shop, event and ふぁみなび id
# sequences are moved past them (new portal ids never reuse a legacy id).
COUNTERS = {
    "users_counter": ("member_number", "users"),
    "shop_counter": ("legacy_shop", "shop"),
    "event_counter": ("legacy_event", "event"),
    "owner_counter": ("legacy_owner", "owner"),
    "faminavi_counter": ("legacy_faminavi", "faminavi"),
}
# Portal masters a legacy `master` kind may be matched to ([values.master_kind]).
MASTER_TARGETS = ("genre", "article_genre", "benefit_type", "facility", "area",
                  "municipality")
# Legacy tables the import does not read, and why (listed in the run's report).
NOT_IMPORTED: dict[str, str] = {}


class MappingError(Exception):
    pass


@dataclass
class TableMapping:
    name: str
    file: str
    columns: dict[str, str]  # legacy column → portal field
    required: list[str] = field(default_factory=list)
    # Legacy columns that may be missing from the file's header (never overwrite then).
    optional: set[str] = field(default_factory=set)
    # Portal field → separator, for list columns ("1,2" → ["1", "2"]).
    separators: dict[str, str] = field(default_factory=dict)
    required_file: bool = False  # the run stops when the file is missing
    on_duplicate: str = "first"  # a repeated key: "first" row wins, or "last"


@dataclass
class Mapping:
    tables: dict[str, TableMapping]
    values: dict[str, dict[str, str]]
    path: str = ""
    sha256: str = ""  # of the file's bytes: recorded with each run, checked by the report
    text: str = ""


def mapping_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def mapping_load(path: Path | None = None, *, text: str | None = None) -> Mapping:
    """The mapping file (or, with text, a mapping recorded with an earlier run)."""
    path = Path(path) if path else DEFAULT_MAPPING
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MappingError(f"対応表 {path} を読めません: {error}") from error
    tables = {}
    for name, spec in (data.get("tables") or {}).items():
        if name not in TABLE_FIELDS:
            raise MappingError(f"対応表: 未知のテーブル {name}")
        columns, optional, separators = {}, set(), {}
        for column, target in (spec.get("columns") or {}).items():
            if isinstance(target, dict):
                # COLUMN = { field = "…", optional = true, separator = "," }
                if not isinstance(target.get("field"), str):
                    raise MappingError(f"対応表: {name}.{column} に field がありません")
                if target.get("optional"):
                    optional.add(str(column))
                if target.get("separator"):
                    separators[target["field"]] = str(target["separator"])
                target = target["field"]
            columns[str(column)] = str(target)
        optional |= {str(column) for column in spec.get("optional") or []}
        unknown_optional = optional - set(columns)
        if unknown_optional:
            raise MappingError(f"対応表: {name} の optional に対応のない列 "
                               f"{', '.join(sorted(unknown_optional))}")
        for target, separator in (spec.get("separators") or {}).items():
            separators[str(target)] = str(separator)
        not_lists = set(separators) - LIST_FIELDS
        if not_lists:
            raise MappingError(f"対応表: {name} の {', '.join(sorted(not_lists))} は"
                               "区切り文字（separator）を指定できない項目です")
        on_duplicate = str(spec.get("on_duplicate") or "first")
        if on_duplicate not in ("first", "last"):
            raise MappingError(f"対応表: {name} の on_duplicate は first か last です")
        unknown = set(columns.values()) - TABLE_FIELDS[name]
        if unknown:
            raise MappingError(f"対応表: {name} に未知の項目 {', '.join(sorted(unknown))}")
        required = list(spec.get("required") or [])
        missing = set(required) - set(columns.values())
        if missing:
            raise MappingError(f"対応表: {name} の必須項目 {', '.join(sorted(missing))} "
                               "に対応する列がありません")
        tables[name] = TableMapping(name=name, file=str(spec.get("file") or f"{name}.csv"),
                                    columns=columns, required=required, optional=optional,
                                    separators=separators,
                                    required_file=bool(spec.get("required_file")),
                                    on_duplicate=on_duplicate)
    values = {kind: {str(k): str(v) for k, v in (entries or {}).items()}
              for kind, entries in (data.get("values") or {}).items()}
    return Mapping(tables=tables, values=values, path=str(path), sha256=mapping_sha256(text),
                   text=text)
