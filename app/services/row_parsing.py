"""Rows of a posted batch from its body: a JSON object or array, or CSV with a header
(app/services/spreadsheets.py reads XLSX into the same rows).

Numbers are read from their text: JSON through ``json_numbers.loads`` (decimals, never
floats), CSV cells as the text they hold, for the schemas to check.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from app.errors import FieldError, ValidationFailed
from app.schemas.json_numbers import loads

CSV_FIELDS = (
    "indicator",
    "region",
    "period",
    "value",
    "unit",
    "yoy_growth",
    "reported_completion_rate",
    "source_document",
    "source_quote",
    "note",
)


def parse_json_rows(body: bytes) -> tuple[list[Any], bool]:
    """The rows of a JSON object or array, and whether it was a batch."""
    try:
        parsed = loads(body)
    except (ValueError, RecursionError) as exc:
        raise ValidationFailed([FieldError("body", f"not valid JSON: {exc}")]) from exc
    if isinstance(parsed, list):
        return parsed, True
    if isinstance(parsed, dict):
        return [parsed], False
    raise ValidationFailed([FieldError("body", "send a JSON object or an array of objects")])


NUMERIC_COLUMNS = ("value", "yoy_growth", "reported_completion_rate")
# 1,234 or 1,234,567.89: thousands separators in a (quoted) cell, as spreadsheets write them.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_csv_rows(body: bytes, charset: str | None = None) -> list[dict[str, Any]]:
    """CSV rows, or a 422 listing every bad row (``csv_rows``)."""
    rows, errors = csv_rows(body, charset)
    if errors:
        raise rows_error(errors)
    return rows


def rows_error(errors: list[FieldError]) -> ValidationFailed:
    first = errors[0]
    return ValidationFailed(
        errors,
        f"{len({e.row for e in errors})} rows of the file are invalid, nothing was stored; "
        f"first: row {first.row}: {first.field}: {first.message}",
    )


# Chinese Excel saves "CSV" in the ANSI code page, GBK; GB18030 is its superset.
_GB_CHARSETS = {"gbk", "gb2312", "gb18030", "cp936", "x-gbk", "euc-cn"}


def decode_csv(body: bytes, charset: str | None = None) -> str:
    """The CSV's text: in ``charset`` when the client named one, otherwise UTF-8 (with or
    without BOM) or, failing that, GB18030 (which reads GBK and GB2312)."""
    name = (charset or "").strip().strip('"').lower()
    if name:
        if name in _GB_CHARSETS:
            name = "gb18030"
        elif name in ("utf-8", "utf8"):
            name = "utf-8-sig"
        try:
            return body.decode(name)
        except LookupError as exc:
            raise ValidationFailed(
                [FieldError("content-type", f"unknown charset '{charset}'; send utf-8 or gbk")]
            ) from exc
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                [FieldError("body", f"the CSV is not {charset} (byte {exc.start}): {exc.reason}")]
            ) from exc
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            [FieldError("body", "the CSV is neither UTF-8 nor GB18030/GBK; save it as UTF-8")]
        ) from exc


def csv_rows(
    body: bytes, charset: str | None = None
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """CSV with a header row of the contract's field names: the rows, and every row's
    problems. UTF-8 with or without BOM, or GB18030/GBK (``decode_csv``).

    Strict: a row with more cells than the header (an unquoted comma in a note, a
    thousands separator typed by hand), a duplicate column, a quote without its document,
    a quote left open: each is an error naming its row and column, and nothing is stored.
    Trailing empty cells and empty rows are ignored. A bad header is a 422 at once.
    """
    content = decode_csv(body, charset)
    lines = io.StringIO(content, newline="").readlines()
    reader = csv.reader(lines, strict=True)
    header = read_header(next_cells(reader))
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    number = 0
    while True:
        consumed = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rest = "".join(lines[consumed:])
            errors.append(_csv_error(exc, rest, consumed + 1, header, number + 1))
            break
        if not any(c.strip() for c in cells):
            continue
        number += 1
        row, row_errors = table_row(header, cells, number)
        errors += row_errors
        rows.append(row)
    return rows, errors


def next_cells(reader: Iterator[list[str]]) -> list[str]:
    try:
        return next(reader, [])
    except csv.Error as exc:
        raise ValidationFailed([FieldError("header", f"not valid CSV (line 1): {exc}")]) from exc


def read_header(cells: list[str]) -> list[str]:
    """The column names of a header row; unknown or repeated names are a 422."""
    header = [h.strip() for h in cells]
    while header and not header[-1]:
        header.pop()
    unknown = [h for h in header if h not in CSV_FIELDS]
    if not header or unknown:
        raise ValidationFailed(
            [FieldError("header", f"unknown columns {unknown}; use: {', '.join(CSV_FIELDS)}")]
        )
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in seen:
            raise ValidationFailed(
                [
                    FieldError(
                        name,
                        f"the header names column '{name}' twice "
                        f"(columns {seen[name]} and {position})",
                    )
                ]
            )
        seen[name] = position
    return header


def table_row(
    header: list[str], cells: list[str], number: int
) -> tuple[dict[str, Any], list[FieldError]]:
    """One data row as a payload for the schema, and its problems (numbered ``number``)."""
    errors = []
    extra = cells[len(header) :]
    while extra and not extra[-1].strip():
        extra.pop()
    if extra:
        errors.append(
            FieldError(
                f"column {len(header) + 1}",
                f"{len(extra)} cell(s) more than the header's {len(header)} columns: "
                f"{', '.join(repr(c) for c in extra)}; a value holding a comma (a note, "
                "a thousands separator) must be quoted",
                number,
            )
        )
    row: dict[str, str] = {}
    for name, cell in zip(header, cells, strict=False):
        value = cell.strip()
        if value:
            if name in NUMERIC_COLUMNS and _GROUPED.fullmatch(value):
                value = value.replace(",", "")
            row[name] = value
    document, quote = row.pop("source_document", None), row.pop("source_quote", None)
    payload: dict[str, Any] = dict(row)
    if document:
        payload["source"] = {"document": document, "quote": quote}
    elif quote:
        errors.append(
            FieldError("source_document", "a source_quote needs its source_document", number)
        )
    return payload, errors


def _csv_error(exc: csv.Error, rest: str, line: int, header: list[str], row: int) -> FieldError:
    """The csv module's complaint about the row starting at ``line`` (``rest`` is the text
    from there on), naming the column when the row's quoting is what broke it."""
    message = f"not valid CSV (line {line}): {exc}"
    if '"' not in rest.partition("\n")[0]:
        return FieldError("body", message, row)
    column = _bad_quote_column(rest)
    field = header[column] if column < len(header) else f"column {column + 1}"
    return FieldError(field, f"{message}; a quote is left open or followed by text", row)


def _bad_quote_column(text: str) -> int:
    """Index of the field in ``text`` (a row's raw text onwards) whose quoting is broken:
    a quote left open, or text after a closing quote."""
    column, at_start, quoted, index = 0, True, False, 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == '"':
                if text[index + 1 : index + 2] == '"':
                    index += 1
                else:
                    quoted = False
                    following = text[index + 1 : index + 2]
                    if following not in ("", ",", "\r", "\n"):
                        return column
        elif char == '"' and at_start:
            quoted = True
        elif char == ",":
            column += 1
            at_start = True
            index += 1
            continue
        elif char in "\r\n":
            return column
        at_start = False
        index += 1
    return column
