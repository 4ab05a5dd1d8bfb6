"""A workbook written as it is sent: one sheet of rows, zipped on the fly.

openpyxl builds every cell as an object and serialises it through an XML tree writer:
about 3 ms a row of 45 cells here, so 600,000 goals would take half an hour and the client
would wait for the whole file before its first byte. An export's sheet is plain (a bold
header, a frozen first row, column widths, number formats and a fill on the status
words), so its XML is written here directly, row by row, into a zip stream that needs no
seeking (``zipfile`` writes data descriptors then), and handed on in chunks as it grows:
the first bytes leave at once and memory holds one chunk. Numbers are written with the
digits they have (Excel reads them as the nearest binary float, as it would any number);
text goes inline (no shared-strings table to hold in memory).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from app.schemas.json_numbers import number_text

CHUNK = 64 * 1024
# Characters XML 1.0 cannot carry, even escaped: dropped from text cells.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Cell styles, by their index in styles.xml's cellXfs.
PLAIN, BOLD, RATE, WHOLE = 0, 1, 2, 3
_FILL_STYLE_BASE = 4  # then one style per fill colour, in FILL_COLOURS order


class Number(str):
    """A number kept as the digits it was written with (read from the API's JSON)."""

    __slots__ = ()


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 14
    number_style: int = PLAIN  # PLAIN ("General"), RATE ("0.0000") or WHOLE ("0")


class _Sink:
    """A write-only stream for ``zipfile``: no ``tell``/``seek``, so it streams."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _letter(index: int) -> str:
    """The column letters of a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _cell(ref: str, value: Any, number_style: int, fill_style: int | None) -> str:
    if value is None or value == "":  # a Number is never empty
        return "" if fill_style is None else f'<c r="{ref}" s="{fill_style}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Number | int | Decimal):
        text = number_text(value) if isinstance(value, Decimal) else str(value)
        style = f' s="{number_style}"' if number_style else ""
        return f'<c r="{ref}"{style}><v>{text}</v></c>'
    style = f' s="{fill_style}"' if fill_style is not None else ""
    text = _text(str(value))
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def workbook_chunks(
    sheet_name: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    fill_column: int | None = None,
    fills: dict[str, str] | None = None,
) -> Iterator[bytes]:
    """The workbook's bytes as they are made. ``rows`` hold cell values (None, bool, int,
    Decimal or text); the cell of ``fill_column`` gets the fill ``fills`` names for the
    value of the column before it (the status code beside its words)."""
    fill_colours = list(dict.fromkeys((fills or {}).values()))
    fill_style = {
        status: _FILL_STYLE_BASE + fill_colours.index(colour)
        for status, colour in (fills or {}).items()
    }
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, body in _fixed_parts(sheet_name, fill_colours).items():
            zf.writestr(name, body)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_sheet_head(columns).encode())
            letters = [_letter(i) for i in range(len(columns))]
            styles = [c.number_style for c in columns]
            for number, row in enumerate(rows, start=2):
                cells = []
                for index, value in enumerate(row):
                    fill = None
                    if index == fill_column and index > 0:
                        fill = fill_style.get(row[index - 1])
                    cells.append(_cell(f"{letters[index]}{number}", value, styles[index], fill))
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())
                if sink.size >= CHUNK:
                    yield sink.take()
            sheet.write(b"</sheetData></worksheet>")
    yield sink.take()


def _sheet_head(columns: Sequence[Column]) -> str:
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
        for i, c in enumerate(columns, start=1)
    )
    header = "".join(
        f'<c r="{_letter(i)}1" s="{BOLD}" t="inlineStr"><is><t>{_text(c.header)}</t></is></c>'
        for i, c in enumerate(columns)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{widths}</cols><sheetData>"
        f'<row r="1">{header}</row>'
    )


def _fixed_parts(sheet_name: str, fill_colours: list[str]) -> dict[str, str]:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package_rel = "http://schemas.openxmlformats.org/package/2006/relationships"
    fills = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/>'
        f'<bgColor indexed="64"/></patternFill></fill>'
        for c in fill_colours
    )
    fill_xfs = "".join(
        f'<xf numFmtId="0" fontId="0" fillId="{2 + i}" borderId="0" xfId="0" applyFill="1"/>'
        for i in range(len(fill_colours))
    )
    styles = (
        f'{head}<styleSheet xmlns="{main}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0000"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        f'<fills count="{2 + len(fill_colours)}"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{fills}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{4 + len(fill_colours)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        f"{fill_xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    return {
        "[Content_Types].xml": (
            f"{head}<Types "
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{head}<Relationships xmlns="{package_rel}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{head}<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            f'<sheet name="{_text(sheet_name[:31])}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{package_rel}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": styles,
    }
