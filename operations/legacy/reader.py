"""Reading one legacy CSV file: encoding (UTF-8 with or without BOM, or CP932,
detected, or forced), header against the mapping, one dict per record with the
line it starts on."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from operations.legacy.mapping import TableMapping

ENCODINGS = ("utf-8", "cp932")


class FileError(Exception):
    """The whole file cannot be used (encoding, header): nothing of it is imported."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Record:
    line: int
    values: dict[str, str | list[str]]


@dataclass
class CsvTable:
    path: Path
    encoding: str
    records: list[Record]
    ignored_columns: list[str] = field(default_factory=list)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data, forced = data[3:], encoding or "utf-8"
    else:
        forced = encoding
    candidates = (forced,) if forced else ENCODINGS
    last_error = None
    for candidate in candidates:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError as error:
            last_error = error
        except LookupError as error:
            raise FileError(f"文字コード {candidate} を知りません") from error
    line = _line_of(data, last_error.start) if last_error else 0
    if forced:
        raise FileError(f"文字コード {forced} として読めません（{line} 行目）", line)
    raise FileError(f"文字コードを判別できません（UTF-8 でも CP932 でもありません。{line} 行目）。"
                    "--encoding で指定してください", line)


def table_read(path: Path, mapping: TableMapping, *, encoding: str | None = None) -> CsvTable:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileError(f"読めません: {error}") from error
    content, used = decode(data, encoding)
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileError("空のファイルです（見出し行がありません）", 1) from None
    except csv.Error as error:
        raise FileError(f"CSV として読めません: {error}", 1) from error
    header = [name.strip() for name in header]
    duplicates = sorted({name for name in header if name and header.count(name) > 1})
    if duplicates:
        raise FileError(f"見出しの列名が重複しています: {', '.join(duplicates)}", 1)
    present = {mapping.columns[name] for name in header if name in mapping.columns}
    missing = [target for target in mapping.required if target not in present]
    if missing:
        legacy = [column for column, target in mapping.columns.items() if target in missing]
        raise FileError(f"必須の列がありません: {', '.join(legacy)}", 1)
    table = CsvTable(path=path, encoding=used, records=[],
                     ignored_columns=[name for name in header if name not in mapping.columns])
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            table.bad_rows.append((start, f"CSV として読めません: {error}"))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            table.bad_rows.append((line, f"列の数が見出しと違います（見出し {len(header)} 列、"
                                         f"この行 {len(row)} 列）"))
            continue
        values: dict[str, str | list[str]] = {}
        for name, cell in zip(header, row, strict=True):
            target = mapping.columns.get(name)
            if target is None:
                continue
            if target == "child_birth_date":
                values.setdefault(target, []).append(cell)
            else:
                values[target] = cell
        table.records.append(Record(line=line, values=values))
    return table
