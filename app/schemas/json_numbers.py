"""Exact decimals in JSON, both ways (DESIGN: a JSON number is read from its text).

In: ``loads`` reads every JSON number with a fraction or exponent as a ``Decimal`` from its
own digits (integers are Python ints, exact already), never through a binary float, so
``30145.123456789012`` stays itself and ``1e-400`` stays ``1E-400`` (which the schemas
then refuse for its decimal places instead of reading 0).

Out: Pydantic can only write a ``Decimal`` as a string or a float, and a float keeps 17
digits at most. So the serialiser writes each number as a marked string,
``"<nonce><digits><nonce>"``, and ``splice`` removes the marks and the quotes from the
finished JSON bytes: two ``bytes.replace`` calls over the answer, whatever its size. The
nonce is drawn per process and never leaves it (every JSON answer passes ``splice``), so
no string a client sent can be taken for a mark.
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from typing import Any

_NONCE = secrets.token_hex(8)
OPEN = f"{_NONCE}<"
CLOSE = f">{_NONCE}"
_OPEN_QUOTED = ('"' + OPEN).encode()
_CLOSE_QUOTED = (CLOSE + '"').encode()
_OPEN_QUOTED_TEXT = '"' + OPEN
_CLOSE_QUOTED_TEXT = CLOSE + '"'

# Beyond this many digits before or after the point a number is written with an exponent.
_PLAIN_DIGITS = 40


def number_text(value: Decimal) -> str:
    """The shortest plain JSON number with exactly ``value``'s digits: ``3.014579``,
    ``4300`` (no trailing zeros, no exponent unless the number is astronomically large or
    small)."""
    if value.is_finite() and -_PLAIN_DIGITS <= value.adjusted() <= _PLAIN_DIGITS:
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value).replace("E", "e")


def marked(value: Decimal) -> str:
    """``value`` as the serialiser writes it, for ``splice`` to unwrap."""
    return OPEN + number_text(value) + CLOSE


def is_marked(data: bytes) -> bool:
    return _OPEN_QUOTED in data


def splice(data: bytes) -> bytes:
    """JSON bytes with every marked number turned into a bare JSON number."""
    if _OPEN_QUOTED not in data:
        return data
    return data.replace(_OPEN_QUOTED, b"").replace(_CLOSE_QUOTED, b"")


def splice_text(data: str) -> str:
    """``splice`` for a ``str`` of JSON (stored fragments are text)."""
    if _OPEN_QUOTED_TEXT not in data:
        return data
    return data.replace(_OPEN_QUOTED_TEXT, "").replace(_CLOSE_QUOTED_TEXT, "")


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a number JSON allows", name, 0)


def loads(body: bytes | str) -> Any:
    """JSON with its numbers exact: fractions and exponents as ``Decimal``.

    Raises ``json.JSONDecodeError`` for text that is not JSON (``NaN`` and ``Infinity``
    included), which FastAPI answers with a 422 naming the body, and ``UnicodeDecodeError``
    for bytes that are not UTF-8 (FastAPI: 400).
    """
    text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
