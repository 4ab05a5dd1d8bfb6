"""Rows of an imported file: CSV (UTF-8 or GB18030/GBK) or an Excel workbook (XLSX).

A workbook's sheet is read into the same cells a CSV row holds, then checked by the same
code (app/services/row_parsing.py): the same header, the same columns, the same errors.
Numbers are read exactly: a number cell is the shortest decimal that names its binary
value (``repr``), the digits Excel shows; a percent-formatted cell is the percentage it
shows (0.121 formatted ``0.0%`` is 12.1); a text cell is its text, every digit kept.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from app.errors import FieldError, ValidationFailed
from app.services.row_parsing import csv_rows, read_header, table_row

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPES = ("text/csv", "application/csv", "text/plain")
# An XLSX file is a ZIP archive.
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileRows:
    rows: list[dict[str, Any]]
    # Problems of single rows (cells past the header, a date typed as a date ...), to be
    # reported with the rows' schema and reference errors in one answer.
    errors: list[FieldError]


def media_type(content_type: str) -> tuple[str, str | None]:
    """(media type, charset parameter) of a Content-Type header."""
    media, *params = content_type.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return media.strip().lower(), charset


def file_rows(
    body: bytes, content_type: str, *, sheet: str | None = None, max_rows: int = 10_000
) -> FileRows:
    """The rows of a CSV or XLSX body; ``content_type`` names it (``application/octet-stream``
    or none: told apart by content). A workbook with more than ``max_rows`` rows stops
    being read there (the post answers 413)."""
    media, charset = media_type(content_type)
    if media == XLSX_MEDIA_TYPE or (
        media in ("application/octet-stream", "") and body.startswith(ZIP_MAGIC)
    ):
        return xlsx_rows(body, sheet=sheet, max_rows=max_rows)
    if media in (*CSV_MEDIA_TYPES, "application/octet-stream", ""):
        if body.startswith(ZIP_MAGIC):
            return xlsx_rows(body, sheet=sheet, max_rows=max_rows)
        if sheet is not None:
            raise ValidationFailed([FieldError("sheet", "a CSV file has no sheets")])
        rows, errors = csv_rows(body, charset)
        return FileRows(rows, errors)
    raise ValidationFailed(
        [
            FieldError(
                "content-type",
                f"'{media}' is not a file this endpoint reads: send multipart/form-data "
                f"(part 'file'), text/csv, {XLSX_MEDIA_TYPE} or application/octet-stream",
            )
        ],
        f"content-type: '{media}' is not a CSV or XLSX file",
    )


def xlsx_rows(body: bytes, *, sheet: str | None = None, max_rows: int = 10_000) -> FileRows:
    """The rows of a workbook's first sheet, or of the sheet named ``sheet``."""
    from openpyxl import load_workbook  # imported when a workbook comes: it takes 0.2 s

    try:
        workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed(
            [FieldError("body", f"not a readable XLSX workbook: {exc}")],
            "body: not a readable XLSX workbook (save it from Excel as .xlsx)",
        ) from exc
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ValidationFailed(
                [
                    FieldError(
                        "sheet",
                        f"no sheet '{sheet}' in the workbook; its sheets: "
                        + ", ".join(workbook.sheetnames),
                    )
                ]
            )
        return _sheet_rows(worksheet.iter_rows(), max_rows)
    finally:
        workbook.close()


def _sheet_rows(sheet_rows: Iterable[Any], max_rows: int) -> FileRows:
    lines = iter(sheet_rows)
    header: list[str] | None = None
    for cells in lines:
        names = [_header_text(c.value) for c in cells]
        if any(names):
            header = read_header(names)
            break
    if header is None:
        raise ValidationFailed([FieldError("header", "the sheet is empty")])
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    number = 0
    for cells in lines:
        texts: list[str] = []
        cell_errors: list[FieldError] = []
        for position, cell in enumerate(cells):
            name = header[position] if position < len(header) else f"column {position + 1}"
            text, error = cell_text(cell, name)
            texts.append(text)
            if error is not None:
                cell_errors.append(error)
        if not any(t.strip() for t in texts):
            continue
        number += 1
        if number > max_rows:
            # Enough to answer 413: the batch holds one row more than it may.
            rows.append({})
            break
        row, row_errors = table_row(header, texts, number)
        for error in cell_errors:
            error.row = number
        errors += cell_errors + row_errors
        rows.append(row)
    return FileRows(rows, errors)


def _header_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def cell_text(cell: Any, column: str) -> tuple[str, FieldError | None]:
    """A cell as the text a CSV would hold: numbers exactly, percentages as shown."""
    value = cell.value
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in (getattr(cell, "number_format", None) or ""):
            number = number.scaleb(2)
        return _plain(number), None
    if isinstance(value, datetime | date | time):
        shown = value.isoformat()
        return shown, FieldError(
            column,
            f"a date cell ({shown}): Excel turned what was typed into a date; format the "
            "column as text and type the period as text, e.g. 2023-09 or 2023-Q3",
        )
    return str(value), None


def _plain(number: Decimal) -> str:
    """Plain notation without exponent; whole numbers without a trailing '.0'."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
