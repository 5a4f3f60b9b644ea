"""CSV downloads meant for spreadsheets: UTF-8 with a BOM (so Excel reads
accents right) and every text cell guarded against formula injection
(OWASP "CSV injection": a cell starting with = + - @ or a tab/CR is
prefixed with an apostrophe)."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.functional import Promise

BOM = "\ufeff"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


class GuardedWriter:
    """csv.writer that guards every cell."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable):
        return self._writer.writerow([csv_cell(cell) for cell in row])


def csv_response(filename: str) -> tuple[HttpResponse, GuardedWriter]:
    """An attachment response with the BOM written, and its writer."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    return response, GuardedWriter(response)
