"""Errors carry their own status; one handler renders them all in one shape.

Body: ``{"error": code, "message": text, "errors": [{"field", "message", "row"}]}``,
so a client always learns which field was wrong and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str
    row: int | None = None
    # A warning's kind (``outlier``, ``ytd_inconsistent``): what a client can act on.
    code: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"field": self.field, "message": self.message}
        if self.row is not None:
            out["row"] = self.row
        if self.code is not None:
            out["code"] = self.code
        return out


@dataclass
class AppError(Exception):
    message: str
    status_code: int = 400
    code: str = "bad_request"
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


class ValidationFailed(AppError):
    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        first = errors[0] if errors else FieldError("", "invalid input")
        super().__init__(
            message or f"{first.field}: {first.message}",
            422,
            "validation_error",
            errors,
        )


def invalid(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field_name, message)])


class NotFound(AppError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} '{key}' not found", 404, "not_found")


class Unauthorized(AppError):
    def __init__(self, message: str = "a valid API key is required") -> None:
        super().__init__(message, 401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 403, "forbidden")


class ServiceUnavailable(AppError):
    def __init__(self, message: str = "the database is unavailable; retry shortly") -> None:
        super().__init__(message, 503, "unavailable", headers={"Retry-After": "1"})
