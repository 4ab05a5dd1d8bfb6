"""The layering of docs/ARCHITECTURE.md, checked on the source: a route that imports the
query layer or runs SQL, a query module that reaches up into services or the API, a
commit outside the unit of work, or a domain module that imports more than the standard
library fails here."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
SESSION_CALLS = {"execute", "scalar", "scalars", "get", "commit", "rollback", "flush", "begin"}


def _modules(folder: str) -> list[Path]:
    return sorted((APP / folder).rglob("*.py"))


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _calls(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, receiver, method) of every ``x.method(...)`` call."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = ast.unparse(node.func.value)
            yield node.lineno, receiver, node.func.attr


ROUTES = [*_modules("api/routes"), APP / "pages" / "routes.py"]


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_routes_neither_import_queries_nor_run_sql(path: Path) -> None:
    bad = [
        name
        for name in _imports(path)
        if name.startswith(("app.queries", "sqlalchemy", "app.db"))
    ]
    assert not bad, f"{path.name} imports {bad}: call a service instead"
    sql = [
        f"line {line}: {receiver}.{method}()"
        for line, receiver, method in _calls(path)
        if method in SESSION_CALLS and "session" in receiver
    ]
    assert not sql, f"{path.name} talks to the database itself: {sql}"


@pytest.mark.parametrize("path", _modules("pages"), ids=lambda p: p.name)
def test_pages_read_through_services_and_queries(path: Path) -> None:
    sql = [
        f"line {line}: {receiver}.{method}()"
        for line, receiver, method in _calls(path)
        if method in SESSION_CALLS and "session" in receiver
    ]
    assert not sql, f"{path.name} talks to the database itself: {sql}"


@pytest.mark.parametrize("path", _modules("queries"), ids=lambda p: p.name)
def test_queries_import_neither_services_nor_the_api(path: Path) -> None:
    bad = [n for n in _imports(path) if n.startswith(("app.services", "app.api", "app.main"))]
    assert not bad, f"{path.name} reaches up into {bad}"


@pytest.mark.parametrize("path", _modules("services"), ids=lambda p: p.name)
def test_services_do_not_import_the_api(path: Path) -> None:
    bad = [n for n in _imports(path) if n.startswith(("app.api", "app.main", "fastapi"))]
    assert not bad, f"{path.name} imports {bad}: services know nothing of HTTP"


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: p.name)
def test_the_domain_imports_only_the_standard_library(path: Path) -> None:
    bad = [
        name
        for name in _imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and not name.startswith(("app.domain", "__future__"))
    ]
    assert not bad, f"{path.name} imports {bad}"


def test_one_place_commits() -> None:
    """Every transaction that writes commits in ``UnitOfWork.run`` (app/db.py); at most
    three places may ever (the request's unit of work, the refresher, the command line)."""
    commits = [
        f"{path.relative_to(APP)}:{line}"
        for path in sorted(APP.rglob("*.py"))
        for line, _receiver, method in _calls(path)
        if method == "commit"
    ]
    assert len(commits) <= 3, commits
    assert commits and all(place.startswith("db.py:") for place in commits), commits
    begins = [
        f"{path.relative_to(APP)}:{line}"
        for path in sorted(APP.rglob("*.py"))
        for line, receiver, method in _calls(path)
        if method == "begin" and "session" in receiver
    ]
    assert begins == [], f"transactions begun outside the unit of work: {begins}"
