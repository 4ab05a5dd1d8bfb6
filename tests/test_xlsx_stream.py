"""The streamed workbook (app/services/xlsx_stream.py): what openpyxl reads back from it."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from app.services import xlsx_stream
from app.services.xlsx_stream import Column, Number


def _read(chunks: list[bytes]):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(b"".join(chunks))).worksheets[0]


def test_column_letters() -> None:
    assert [xlsx_stream._letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_cells_come_back_as_written() -> None:
    columns = [
        Column("数值", number_style=xlsx_stream.RATE),
        Column("id", number_style=xlsx_stream.WHOLE),
        Column("status"),
        Column("words", width=30),
        Column("flag"),
    ]
    rows = [
        [Number("56.0698"), Number("7"), "achieved", "已完成 <&> \x01ok", True],
        [Decimal("-0.5"), 8, "off_track", None, False],
        [None, Number("9"), None, "", None],
    ]
    chunks = list(
        xlsx_stream.workbook_chunks(
            "targets", columns, rows, fill_column=3, fills={"achieved": "C6EFCE"}
        )
    )
    sheet = _read(chunks)
    assert sheet.title == "targets"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["数值", "id", "status", "words", "flag"]
    assert sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == [56.0698, 7, "achieved", "已完成 <&> ok", True]
    assert [c.value for c in sheet[3]] == [-0.5, 8, "off_track", None, False]
    assert [c.value for c in sheet[4]] == [None, 9, None, None, None]
    assert sheet.max_row == 4
    assert sheet["A2"].number_format == "0.0000" and sheet["B2"].number_format == "0"
    assert sheet["D2"].fill.fgColor.rgb == "FFC6EFCE"  # the fill of 'achieved' beside it
    assert sheet["D3"].fill.fill_type is None
    assert sheet.column_dimensions["D"].width == 30


def test_a_long_sheet_streams_in_chunks() -> None:
    rows = ([Number(str(i)), f"row {i}"] for i in range(20_000))
    chunks = list(xlsx_stream.workbook_chunks("s", [Column("n"), Column("t")], rows))
    assert len(chunks) > 2  # sent while written, not once at the end
    sheet = _read(chunks)
    assert sheet.max_row == 20_001
    assert sheet.cell(row=20_001, column=1).value == 19_999
