"""One exception tree for Accord, split by whose fault a failure is.

Every error carries the HTTP status and the CLI exit code it translates to, so the API's single
handler and the CLI's single wrapper need no table of their own. Foreign exceptions are wrapped at
the boundary where they occur (``raise InvalidInput(...) from e``); nothing else reaches a user.
"""

from __future__ import annotations

from typing import ClassVar


class AccordError(Exception):
    """The root of every error Accord raises on purpose."""

    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1
    #: A short machine-readable code for API bodies (``{"error": code, "message": ...}``).
    code: ClassVar[str] = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(AccordError):
    """The caller gave something malformed or impossible. Nothing was changed.

    ``field`` names the offending field as a path (``agreements[2].events[0].date``) and ``line``
    the line of an input file, when known.
    """

    http_status = 422
    exit_code = 2
    code = "invalid-input"

    def __init__(self, message: str, *, field: str | None = None, line: int | None = None) -> None:
        self.field = field
        self.line = line
        self.reason = message
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = ""
        if self.line is not None:
            where = f"line {self.line}: "
        if self.field:
            where += f"{self.field}: "
        return where + self.reason

    def at(self, *, field_prefix: str | None = None, line: int | None = None) -> InvalidInput:
        """The same error located deeper in a document (a prefix) or at a line of a file."""
        field = self.field
        if field_prefix:
            field = _join_path(field_prefix, field)
        return type(self)(self.reason, field=field, line=line if line is not None else self.line)


class LifecycleError(InvalidInput):
    """An event that the agreement's lifecycle does not allow (renewing a terminated agreement,
    an event before the signing, an open-ended term expiring without notice)."""

    code = "invalid-lifecycle"


class LabelError(InvalidInput):
    """A security label or clearance that cannot be read, or that names what its policy lacks."""

    code = "invalid-label"


class PolicyError(InvalidInput):
    """A security policy (XML-SPIF) that cannot be loaded, with the reason it is broken."""

    code = "invalid-policy"


class VerificationFailed(AccordError):
    """A signature, proof or checkpoint that does not verify. Says what failed, never why in
    cryptographic detail."""

    http_status = 422
    exit_code = 5
    code = "verification-failed"


class Unauthenticated(AccordError):
    """No valid credentials (an API token missing, unknown, expired or revoked)."""

    http_status = 401
    exit_code = 2
    code = "unauthenticated"


class Forbidden(AccordError):
    """Authenticated, but the role does not reach this."""

    http_status = 403
    exit_code = 3
    code = "forbidden"


class ReleaseDenied(AccordError):
    """A release the policy denied; carries the decision (its JSON form) with every reason."""

    http_status = 403
    exit_code = 3
    code = "release-denied"

    def __init__(self, decision: dict[str, object]) -> None:
        super().__init__("the release was denied")
        self.body = decision


class TooManyAttempts(AccordError):
    """Sign-ins under this name failed too often lately: the next is refused until a moment
    given in the message (the same for a name that exists and one that does not)."""

    http_status = 429
    exit_code = 2
    code = "too-many-attempts"


class TooLarge(AccordError):
    """An input over its size limit (counted as it arrives, before anything parses it)."""

    http_status = 413
    exit_code = 2
    code = "too-large"


class NotFound(AccordError):
    """The thing named does not exist."""

    http_status = 404
    exit_code = 3
    code = "not-found"


class Conflict(AccordError):
    """The change contradicts what is recorded (an agreement id taken with other content)."""

    http_status = 409
    exit_code = 4
    code = "conflict"


class StorageError(AccordError):
    """The database failed or is not in the state Accord expects. Not the caller's fault."""

    http_status = 503
    exit_code = 8
    code = "storage"


def _join_path(prefix: str, field: str | None) -> str:
    if not field:
        return prefix
    if field.startswith("["):
        return prefix + field
    return f"{prefix}.{field}"


class PeerRefused(AccordError):
    """A federation request this node refuses: unknown origin, wrong destination, stale time,
    replayed nonce, or a signature that does not verify (said without cryptographic detail)."""

    http_status = 401
    exit_code = 6
    code = "federation-refused"


class PeerError(AccordError):
    """A partner node could not be reached or answered outside the protocol; delivery retries."""

    http_status = 502
    exit_code = 7
    code = "peer-error"
