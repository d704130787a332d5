"""The one error taxonomy of Starbase.

Services raise these; only the edges translate them (HTTP status + JSON body, a Stardeck toast, a CLI
exit code + stderr line). Third-party exceptions are wrapped with ``raise ... from e``.
"""

from __future__ import annotations


class StarbaseError(Exception):
    """Base of every error Starbase raises on purpose."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, object]:
        """The JSON body of INTERFACES.md: ``{"error": {"code", "message", "field"?}}``."""
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return {"error": body}


class NotFound(StarbaseError):
    """The resource does not exist, or the caller may not know it exists (tenant isolation)."""

    code = "not_found"
    status = 404


class Conflict(StarbaseError):
    """The request clashes with current state (a name taken, a build already running)."""

    code = "conflict"
    status = 409


class Unauthenticated(StarbaseError):
    """No credentials, or credentials that do not identify anyone."""

    code = "unauthenticated"
    status = 401


class Forbidden(StarbaseError):
    """The caller is known but its role does not allow the action."""

    code = "forbidden"
    status = 403


class Invalid(StarbaseError):
    """Bad input; ``field`` names the offending field or setting."""

    code = "invalid"
    status = 422

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, field=field)


class PayloadTooLarge(StarbaseError):
    """A request body, upload or repository over its size limit."""

    code = "payload_too_large"
    status = 413


class QuotaExceeded(StarbaseError):
    """A plan or workspace limit was reached."""

    code = "quota_exceeded"
    status = 402


class UpstreamUnavailable(StarbaseError):
    """A service we depend on (database, Depot, Stripe, a cluster) did not answer; retry later."""

    code = "upstream_unavailable"
    status = 503

    def __init__(self, message: str, *, retry_after: float | None = None, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


class ConfigurationError(StarbaseError):
    """A setting is missing or wrong; start-up stops with one line naming it."""

    code = "configuration"
    status = 500

    def __init__(self, message: str, *, setting: str) -> None:
        super().__init__(f"{setting}: {message}", field=setting)
        self.setting = setting
