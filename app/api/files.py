"""Files out over HTTP: the ``format`` and ``lang`` parameters of the lists and the
streamed answer with its ``Content-Disposition`` (the files are made in
app/services/exports.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import StreamingResponse

from app.services.exports import FileAnswer
from app.services.spreadsheets import XLSX_MEDIA_TYPE

FormatQuery = Annotated[
    Literal["json", "csv", "xlsx"],
    Query(
        description="`json` (a page); `csv` or `xlsx`: a file of every matching row, no paging, "
        "the progress block flattened into columns"
    ),
]
LangQuery = Annotated[
    Literal["en", "zh"],
    Query(description="the file's column headers: the JSON field names (`en`) or Chinese (`zh`)"),
]

FILE_CONTENT: dict[str, Any] = {
    "text/csv": {"schema": {"type": "string"}},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
}


def file_content(description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI of a 200 that is a page of JSON or, with ``format``, a file."""
    return {200: {"description": description, "content": FILE_CONTENT}}


def file_response(answer: FileAnswer) -> StreamingResponse:
    return StreamingResponse(
        answer.chunks,
        media_type=answer.media_type,
        headers={"Content-Disposition": f'attachment; filename="{answer.filename}"'},
    )
