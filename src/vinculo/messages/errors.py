"""Refusals of the message service, with what the audit log needs to record them.

Each error carries two texts: ``detail``, what the user is told, and ``reason``, what the audit log
keeps. They differ where telling the user the reason would confirm that something exists (a thread
of other agencies is "no such thread" to the user; the log says why).
"""

from __future__ import annotations

from typing import Any


class MessageError(Exception):
    """A request the message service refuses."""

    status = 400
    outcome = "denied"

    def __init__(
        self,
        detail: str,
        *,
        action: str,
        object_type: str | None = None,
        object_id: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.action = action
        self.object_type = object_type
        self.object_id = object_id[:200] if object_id else None
        self.reason = reason or detail

    def audit_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``audit.record`` (or ``api.deps.deny``)."""
        return {
            "outcome": self.outcome,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "details": {"reason": self.reason},
        }


class Invalid(MessageError):
    """The request itself is wrong: unknown recipient, missing H3 text, bad evaluation."""

    status = 400
    outcome = "failed"


class Forbidden(MessageError):
    """The user may not do this: a role without records, a record that may not be passed on."""

    status = 403


class NotFound(MessageError):
    """No such thread, message or attachment — or none the user's agency takes part in."""

    status = 404


class TooLarge(MessageError):
    """An attachment over the size limit."""

    status = 413
    outcome = "failed"
