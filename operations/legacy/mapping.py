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
# Legacy tables the import does not read, and why (listed in the run's report).
NOT_IMPORTED = {
    "users_counter": "採番はポータルの連番に引き継ぎます（最大の旧IDの次から）",
    "shop_counter": "採番はポータルの連番に引き継ぎます（最大の旧IDの次から）",
    "owner_counter": "採番はポータルの連番に引き継ぎます",
    "event_counter": "採番はポータルの連番に引き継ぎます",
    "faminavi_counter": "採番はポータルの連番に引き継ぎます",
    "shop_temp": "承認待ちの編集は移行前に旧システムで処理してください（docs/migration.md）",
    "shop_temp_genre": "shop_temp と同じ",
    "shop_temp_tokuten": "shop_temp と同じ",
    "shop_temp_chain": "shop_temp と同じ",
    "master": "マスタはポータルの基準データを使い、[values] で旧コードを対応付けます",
    "faminavi_area": "マスタはポータルの基準データを使います",
    "faminavi_city": "マスタはポータルの基準データを使います",
}


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
