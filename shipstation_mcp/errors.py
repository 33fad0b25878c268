"""What can go wrong when talking to ShipStation, and how to say it to an assistant.

The hierarchy is small on purpose; each name says what happened::

    ShipStationError
    ├── AuthenticationError   401/403: the key is wrong, revoked, or for another API family
    ├── NotFoundError         404: no such object
    ├── RateLimitedError      429: over 200 requests/minute (40 on V1), retries used up
    ├── RequestRejectedError  400/409/422 and other 4xx: ShipStation refused the request as sent
    ├── ServerError           5xx: ShipStation or the carrier failed, retries used up
    │   └── MalformedResponse an answer that is not the JSON it should be (cut off, HTML, wrong shape)
    └── TransportError        no HTTP answer at all
        ├── NetworkError      could not connect, connection reset, malformed response
        └── RequestTimeout    no answer within SHIPSTATION_TIMEOUT

    InvalidInput              an argument cannot be right; the message says what to send
    LookupFailed              a lookup found nothing usable; the message says what to try next
    StoreError                the local event store cannot be opened or used
    └── SharedStateUnavailable Redis or PostgreSQL shared by several instances cannot be reached (retryable)

`explain(error, what=…)` is the one place that turns any failure into the sentence an assistant reads: tool
errors and the per-item errors of bulk tools both come from it.

None of these texts ever contain the API key: they are built from status codes, ShipStation's own error
messages and the request path, never from headers.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AuthenticationError",
    "InvalidInput",
    "LookupFailed",
    "MalformedResponse",
    "NetworkError",
    "NotFoundError",
    "RateLimitedError",
    "RequestRejectedError",
    "RequestTimeout",
    "ServerError",
    "SharedStateUnavailable",
    "ShipStationError",
    "StoreError",
    "TransportError",
    "describe_for_assistant",
    "explain",
    "full_stop",
]


class ShipStationError(Exception):
    """Base class. `status` is the HTTP status (None when no answer came back)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        messages: Sequence[str] = (),
        error_code: str | None = None,
        method: str | None = None,
        path: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.messages = tuple(messages)
        self.error_code = error_code
        self.method = method
        self.path = path
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(status={self.status!r}, request_id={self.request_id!r}, message={self.message!r})"

    @property
    def detail(self) -> str:
        """ShipStation's own explanation, each message in quotation marks (it is data, not words of ours: it may
        repeat what a shopper wrote), joined, or an empty string."""
        quoted = (" ".join(m.split()).replace("\u201c", "'").replace("\u201d", "'") for m in self.messages if m)
        return "; ".join(f"\u201c{m}\u201d" for m in quoted)

    @property
    def reference(self) -> str:
        """A ' (request id …)' suffix for support tickets, or ''."""
        return f" (ShipStation request id {self.request_id})" if self.request_id else ""


class AuthenticationError(ShipStationError):
    pass


class NotFoundError(ShipStationError):
    pass


class RateLimitedError(ShipStationError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class RequestRejectedError(ShipStationError):
    pass


class ServerError(ShipStationError):
    pass


class MalformedResponse(ServerError):
    """An answer came back but it is not the JSON it should be (cut off, HTML, wrong shape)."""


class TransportError(ShipStationError):
    pass


class NetworkError(TransportError):
    pass


class RequestTimeout(TransportError):
    pass


class InvalidInput(ValueError):
    """An argument cannot be right (empty, control characters, wrong shape). The message says what to send."""


class LookupFailed(Exception):
    """A lookup found nothing usable, for a reason we can explain. The message says what to try next."""


class StoreError(RuntimeError):
    """The event store cannot be opened or used; the message says why and what to do."""


class SharedStateUnavailable(StoreError):
    """A service shared by several instances (Redis, PostgreSQL) cannot be reached right now; retrying works once it
    is back. The message names the service (never its password) and says that nothing was sent to ShipStation."""


EXPLAINED = (InvalidInput, LookupFailed, StoreError)
"""Failures whose own message is already written for the assistant."""


def full_stop(text: str) -> str:
    """`text` as a sentence that ends once: a full stop added unless it already ends in one (or ? or !)."""
    text = text.strip()
    # A quoted sentence ("“Shipment not found.”") already ends inside its quotation marks.
    return text if text.rstrip("”\"'").endswith((".", "!", "?", "…")) else text + "."


def explain(error: BaseException, *, what: str = "the request", where: str = "this call") -> str:
    """What the assistant reads for any failure: our own messages as they are, ShipStation's failures described,
    anything else an internal error that names only its type (its text may hold data we must not echo)."""
    if isinstance(error, EXPLAINED):
        return str(error)
    if isinstance(error, ShipStationError):
        return describe_for_assistant(error, what=what)
    return (
        f"shipstation-mcp hit an internal error ({type(error).__name__}) in {where}. Trying again may work; "
        "if it keeps happening, please report it."
    )


def _retry_hint(seconds: float | None) -> str:
    if seconds is None or seconds <= 0:
        return "in about a minute"
    if seconds < 90:
        return f"in {max(1, round(seconds))} seconds"
    if seconds < 5400:
        return f"in about {round(seconds / 60)} minutes"
    if seconds < 3 * 86400:
        return f"in about {round(seconds / 3600)} hours"
    return "later (ShipStation asked for a pause of days or more, which looks like a mistake on its side)"


def describe_for_assistant(error: ShipStationError, *, what: str = "the request") -> str:
    """One or two sentences an assistant can act on: what went wrong, then what to do next.

    `what` names the thing asked for, e.g. "shipment 'se-123'", and is used in not-found messages.
    """
    detail = f" ShipStation said: {full_stop(error.detail)}" if error.detail else ""
    ref = error.reference
    if isinstance(error, AuthenticationError):
        return (
            f"ShipStation rejected the API key (HTTP {error.status}).{detail} Check SHIPSTATION_API_KEY, and that "
            "SHIPSTATION_API matches where the key was made: 'v2' for ShipStation API V2 keys, 'shipengine' for "
            "ShipEngine keys, 'v1' for a classic V1 key, whose secret goes in SHIPSTATION_API_SECRET (a V1 key and "
            f"secret come as a pair; a V2 key has no secret).{ref}"
        )
    if isinstance(error, NotFoundError):
        return f"ShipStation has no record of {what} (HTTP 404).{detail} Check the value and try again.{ref}"
    if isinstance(error, RateLimitedError):
        return (
            f"ShipStation's rate limit (200 requests per minute; 40 on the classic V1 API) was reached and "
            f"{error.attempts} attempt(s) "
            f"did not get through. Try again {_retry_hint(error.retry_after)}, and ask for fewer items at once.{ref}"
        )
    if isinstance(error, RequestRejectedError) and error.status is not None and 300 <= error.status < 400:
        return (
            f"ShipStation answered with a redirect (HTTP {error.status}), which is not followed. Check "
            f"SHIPSTATION_BASE_URL (scheme, host and port); leave it unset to use ShipStation itself.{ref}"
        )
    if isinstance(error, RequestRejectedError):
        return (
            f"ShipStation refused {what} (HTTP {error.status}).{detail or ' It gave no reason.'} "
            f"Correct the arguments and try again.{ref}"
        )
    if isinstance(error, MalformedResponse):
        return (
            f"ShipStation's answer could not be used: {error.message} Try again in a minute; if it keeps "
            f"happening, ShipStation may be having trouble.{ref}"
        )
    if isinstance(error, ServerError):
        if error.status is None or error.status < 500:  # an answer we could not use, e.g. JSON cut short
            failed = f"ShipStation's answer could not be used after {error.attempts} attempt(s): {error.message}"
        else:
            failed = f"ShipStation failed with HTTP {error.status} after {error.attempts} attempt(s).{detail}"
        return f"{failed} This is on ShipStation's side (or the carrier's); try again in a minute or two.{ref}"
    if isinstance(error, RequestTimeout):
        return (
            f"ShipStation did not answer in time after {error.attempts} attempt(s). Try again shortly; if it keeps "
            "happening, raise SHIPSTATION_TIMEOUT."
        )
    if isinstance(error, NetworkError):
        return (
            f"Could not reach ShipStation after {error.attempts} attempt(s): {error.message} Check the network "
            "connection and SHIPSTATION_BASE_URL, then try again."
        )
    return f"{error.message}{ref}"
