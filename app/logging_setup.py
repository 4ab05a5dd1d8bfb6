"""Logging that never writes a credential: the access log's query strings are redacted.

A client may send its key as ``?api_key=…`` (refused: keys go in the Authorization
header), yet uvicorn's access log would keep it in plain text. The filter rewrites the
logged path of every access record, whatever the handler or format.
"""

from __future__ import annotations

import logging
import re

# Query parameters that look like a credential, in any case: api_key, key, token, ...
CREDENTIAL_PARAMETERS = (
    "api_key",
    "apikey",
    "api-key",
    "key",
    "token",
    "access_token",
    "auth",
    "password",
    "secret",
)
_NAMES = "|".join(re.escape(p) for p in CREDENTIAL_PARAMETERS)
_CREDENTIAL = re.compile(rf"(?i)([?&](?:{_NAMES})=)[^&#]*")
REDACTED = "[REDACTED]"


def redact_query(path: str) -> str:
    """``path`` with the value of every credential-like query parameter replaced."""
    if "?" not in path:
        return path
    return _CREDENTIAL.sub(lambda m: m.group(1) + REDACTED, path)


class RedactCredentials(logging.Filter):
    """For uvicorn's access records, whose arguments are (client, method, path, version,
    status); any other string argument holding a query is redacted too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_query(record.msg)
        return True


def install_log_redaction() -> None:
    """Adds the filter to uvicorn's access logger, once (idempotent)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactCredentials) for f in access.filters):
        access.addFilter(RedactCredentials())
