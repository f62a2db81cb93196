"""CSV files meant for Excel or WPS: UTF-8 with a byte-order mark, and no cell that a
spreadsheet would run as a formula.

A customer named ``=HYPERLINK("http://evil.example","Click")`` — typed by anyone, or imported
from a show's list — must arrive as text. Cells starting with ``= + - @`` (or a tab/CR) get a
leading apostrophe, which spreadsheets show as text and hide (OWASP "CSV injection"); a
``+86…`` mobile is kept as text too instead of becoming 8.6E+12. ``leads.imports`` strips that
apostrophe again, so an export can be edited and imported back.
"""

import csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unguard_cell(text: str) -> str:
    """The inverse for a cell read back: drop the apostrophe safe_cell added."""
    guarded = len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r"
    return text[1:] if guarded else text


class SpreadsheetWriter:
    """csv.writer for a file-like ``out`` (e.g. an HttpResponse): BOM first, every cell safe."""

    def __init__(self, out):
        out.write(BOM)
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)
