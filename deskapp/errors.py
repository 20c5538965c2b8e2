"""Errors a person at the desk can cause, each carrying a sentence they understand.

Anything that is not a DeskError is a bug: logged with its traceback, shown briefly.
"""

from __future__ import annotations


class DeskError(Exception):
    """Base of every error meant for the person at the desk; str() is the sentence to show."""


class ValidationError(DeskError):
    """A value given by the user is not acceptable."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        """The form field at fault, so a form can point at it."""


class PermissionDenied(DeskError):
    """The acting staff member's role does not allow the action."""


class Conflict(DeskError):
    """Somebody else changed the row first, or the action clashes with the current state."""


class NotFound(DeskError):
    """The thing asked for does not exist (any more)."""


class PaymentError(DeskError):
    """The payment gateway refused or failed."""


class ConfigError(DeskError):
    """Configuration, database URL or secrets are unusable."""


class DatabaseUnavailable(DeskError):
    """The database did not answer (a shared server restarting, a connection cut): what was
    asked did not happen; the desk reconnects by itself, so trying again later works."""
