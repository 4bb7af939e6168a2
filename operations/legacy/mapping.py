"""The mapping file (TOML): legacy table → CSV file, legacy column → portal field.
default_mapping.toml is shipped; --mapping points at an edited copy."""

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


@dataclass
class Mapping:
    tables: dict[str, TableMapping]
    values: dict[str, dict[str, str]]


def mapping_load(path: Path | None = None) -> Mapping:
    path = Path(path) if path else DEFAULT_MAPPING
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MappingError(f"対応表 {path} を読めません: {error}") from error
    tables = {}
    for name, spec in (data.get("tables") or {}).items():
        if name not in TABLE_FIELDS:
            raise MappingError(f"対応表: 未知のテーブル {name}")
        columns = {str(column): str(target) for column, target in
                   (spec.get("columns") or {}).items()}
        unknown = set(columns.values()) - TABLE_FIELDS[name]
        if unknown:
            raise MappingError(f"対応表: {name} に未知の項目 {', '.join(sorted(unknown))}")
        required = list(spec.get("required") or [])
        missing = set(required) - set(columns.values())
        if missing:
            raise MappingError(f"対応表: {name} の必須項目 {', '.join(sorted(missing))} "
                               "に対応する列がありません")
        tables[name] = TableMapping(name=name, file=str(spec.get("file") or f"{name}.csv"),
                                    columns=columns, required=required)
    values = {kind: {str(k): str(v) for k, v in (entries or {}).items()}
              for kind, entries in (data.get("values") or {}).items()}
    return Mapping(tables=tables, values=values)
