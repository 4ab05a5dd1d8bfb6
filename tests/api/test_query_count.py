"""List endpoints issue a bounded number of statements, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection


@contextmanager
def counting(connection: Connection) -> Iterator[list[str]]:
    statements: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", _count)


def test_list_statement_count_does_not_grow_with_rows(
    client: TestClient, connection: Connection
) -> None:
    for path in ("targets", "plans", "observations", "indicators", "regions", "documents"):
        with counting(connection) as few:
            small = client.get(f"/api/v1/{path}", params={"limit": 2}).json()
        with counting(connection) as many:
            large = client.get(f"/api/v1/{path}", params={"limit": 1000}).json()
        assert len(large["items"]) > len(small["items"]) or large["total"] <= 2, path
        assert len(many) == len(few), (path, len(few), len(many))
        assert len(many) <= 6, (path, many)


def test_summary_statement_count_is_bounded(client: TestClient, connection: Connection) -> None:
    with counting(connection) as statements:
        client.get("/api/v1/summary")
    assert len(statements) <= 6
