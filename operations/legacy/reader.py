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
    # Portal fields with a column in the header: only these are written (an absent
    # optional column leaves the portal's value as it is).
    fields: set[str] = field(default_factory=set)
    absent_optional: list[str] = field(default_factory=list)


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
    # strict: a quoted field still open at the end of the file is an error (a cut file).
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
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
    # A mapped column the header does not have is a typo or a changed export, unless the
    # mapping says the column may be absent (optional): never blank a field silently.
    absent = [column for column in mapping.columns if column not in header]
    not_optional = [column for column in absent if column not in mapping.optional]
    if not_optional:
        raise FileError(f"対応表の列 {', '.join(not_optional)} が見出しにありません（列名の誤りか"
                        "確認してください。ない列は対応表で optional = true にします）", 1)
    table = CsvTable(path=path, encoding=used, records=[],
                     ignored_columns=[name for name in header if name not in mapping.columns],
                     fields={mapping.columns[name] for name in header if name in mapping.columns},
                     absent_optional=absent)
    ends_with_newline = content.endswith(("\n", "\r"))
    last_line, last_short = 0, False
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise FileError(f"ファイルが途中で切れています（{start} 行目から始まる引用符の"
                                "項目が閉じていません）。出力し直してください", start) from error
            table.bad_rows.append((start, f"CSV として読めません: {error}"))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # blank line
        last_line, last_short = line, len(row) < len(header)
        if len(row) != len(header):
            table.bad_rows.append((line, f"列の数が見出しと違います（見出し {len(header)} 列、"
                                         f"この行 {len(row)} 列）"))
            continue
        values: dict[str, str | list[str]] = {}
        for name, cell in zip(header, row, strict=True):
            target = mapping.columns.get(name)
            if target is None:
                continue
            separator = mapping.separators.get(target)
            if separator:
                values.setdefault(target, []).extend(
                    part for part in cell.split(separator) if part.strip())
            elif target == "child_birth_date":
                values.setdefault(target, []).append(cell)
            else:
                values[target] = cell
        table.records.append(Record(line=line, values=values))
    if last_short and not ends_with_newline:
        raise FileError(f"ファイルが途中で切れています（最後の {last_line} 行目の列が足りず、"
                        "改行で終わっていません）。出力し直してください", last_line)
    return table
