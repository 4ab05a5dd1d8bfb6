"""Files out over HTTP: the ``format`` and ``lang`` parameters of the lists and the
streamed answer with its ``Content-Disposition`` (the files are made in
app/services/exports.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import Query
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from app.api.deps import close_session, open_session, route_to_a_reader, unit_of_work
from app.api.threads import in_thread
from app.db import UnitOfWork
from app.schemas.goal_query import FORMAT_DESCRIPTION, LANG_DESCRIPTION, AnswerFormat, HeaderLang
from app.services.exports import FileAnswer
from app.services.spreadsheets import XLSX_MEDIA_TYPE

FormatQuery = Annotated[AnswerFormat, Query(description=FORMAT_DESCRIPTION)]
LangQuery = Annotated[HeaderLang, Query(description=LANG_DESCRIPTION)]

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
        headers=_disposition(answer),
    )


def _disposition(answer: FileAnswer) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{answer.filename}"'}


class SessionFileResponse(StreamingResponse):
    """A file streamed from a session the handler opened itself: the session lives as long
    as the stream and is closed when the last chunk is sent, or when the client goes away
    or the stream fails. No chunk is being made by then: a chunk is made in a thread the
    stream waits for, uncancelled."""

    def __init__(self, session: Session, answer: FileAnswer) -> None:
        super().__init__(answer.chunks, media_type=answer.media_type, headers=_disposition(answer))
        self.session = session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(close_session, self.session)


async def stream_file(
    request: Request, make: Callable[[UnitOfWork], FileAnswer]
) -> SessionFileResponse:
    """The file ``make`` starts from a unit of work of its own, streamed: its session,
    opened here, lives as long as the stream (``SessionFileResponse``)."""
    session = open_session(request)
    try:
        answer = await in_thread(_started, request, session, make)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await in_thread(close_session, session)
        raise
    return SessionFileResponse(session, answer)


def _started(
    request: Request, session: Session, make: Callable[[UnitOfWork], FileAnswer]
) -> FileAnswer:
    route_to_a_reader(request, session)
    return make(unit_of_work(request, session))
