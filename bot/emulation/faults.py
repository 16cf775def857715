"""Scripted failures, so tests can prove the bot survives what Telegram and the network do to it.

``telegram.faults.fail_next("sendMessage", "timeout", times=2)`` makes the next two sendMessage
calls time out. A fault may be limited to one chat (``chat=user``) and to any method
(``method=None``). Kinds and what PTB raises for them:

=================  =====================================  =========================
kind               the emulated server                    PTB raises
=================  =====================================  =========================
``blocked``        403 "Forbidden: bot was blocked..."     ``Forbidden``
``chat_not_found`` 400 "Bad Request: chat not found"       ``BadRequest``
``retry_after``    429 with parameters.retry_after         ``RetryAfter``
``conflict``       409 "Conflict: terminated by other..."  ``Conflict``
``bad_gateway``    502 "Bad Gateway"                       ``NetworkError``
``server_error``   500 "Internal Server Error"             ``NetworkError``
``timeout``        no answer                               ``TimedOut``
``network``        connection dropped                      ``NetworkError``
=================  =====================================  =========================

With ``delivered=True`` a ``timeout``/``network`` fault lets the call take effect first and fails
afterwards: the message is in the chat but the bot never hears so (the case behind duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from telegram.error import NetworkError, TimedOut

from bot.emulation import errors
from bot.emulation.errors import ApiError, too_many_requests

KINDS = frozenset(
    {
        "blocked",
        "chat_not_found",
        "retry_after",
        "conflict",
        "bad_gateway",
        "server_error",
        "timeout",
        "network",
    }
)


@dataclass
class Fault:
    """One scripted failure and how many more calls it spoils."""

    kind: str
    method: str | None
    chat_id: int | None
    times: int
    delivered: bool = False
    retry_after: int = 5

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Whether a call of ``method`` to ``chat_id`` falls to this fault."""
        if self.times <= 0 or (self.method is not None and self.method != method.lower()):
            return False
        return self.chat_id is None or self.chat_id == chat_id


class Faults:
    """The queue of scripted failures, consulted by EmulatedRequest before each call."""

    def __init__(self) -> None:
        self._plan: list[Fault] = []
        self.fired: list[tuple[str, str]] = []

    def fail_next(
        self,
        method: str | None = None,
        kind: str = "timeout",
        *,
        times: int = 1,
        chat: Any = None,
        delivered: bool = False,
        retry_after: int = 5,
    ) -> Fault:
        """Fail the next ``times`` calls of ``method`` (any method if None), optionally in one chat."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {sorted(KINDS)}")
        if delivered and kind not in ("timeout", "network"):
            raise ValueError("only timeout and network faults can happen after delivery")
        chat_id = getattr(chat, "chat_id", chat)
        fault = Fault(kind, method.lower() if method else None, chat_id, times, delivered, retry_after)
        self._plan.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every scripted failure."""
        self._plan.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults with calls still to spoil."""
        return [fault for fault in self._plan if fault.times > 0]

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """The first fault for this call, counted as used; None when the call should succeed."""
        for fault in self._plan:
            if fault.matches(method, chat_id):
                fault.times -= 1
                self.fired.append((method, fault.kind))
                return fault
        return None


def raise_fault(fault: Fault) -> NoReturn:
    """Fail as the fault says: an ApiError answered as JSON, or a transport exception."""
    if fault.kind == "timeout":
        raise TimedOut()
    if fault.kind == "network":
        raise NetworkError("httpx.ConnectError: emulated connection failure")
    if fault.kind == "blocked":
        raise ApiError(403, errors.BLOCKED)
    if fault.kind == "chat_not_found":
        raise ApiError(400, errors.CHAT_NOT_FOUND)
    if fault.kind == "retry_after":
        raise too_many_requests(fault.retry_after)
    if fault.kind == "conflict":
        raise ApiError(409, errors.POLL_CONFLICT)
    if fault.kind == "bad_gateway":
        raise ApiError(502, errors.BAD_GATEWAY)
    raise ApiError(500, "Internal Server Error")
