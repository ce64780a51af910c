"""The one exception a rule of the programme raises, and the codes shared by every app.

Each app lists its own codes in ``<app>/errors.py`` as a ``Code`` StrEnum; a code is a
stable snake_case string (programs and tests read it), the message is for people.
"""

from enum import StrEnum

from django.core.exceptions import ValidationError


class CommonCode(StrEnum):
    """Codes every app may raise."""

    INVALID = "invalid"
    REASON_REQUIRED = "reason_required"
    DATE_IN_FUTURE = "date_in_future"
    CONCURRENT_CHANGE = "concurrent_change"
    TOO_LARGE = "too_large"


class DomainError(Exception):
    """A rule of the programme refused a change.

    ``message`` is for the user, already translated; ``code`` is stable, for programs
    (the API returns it, tests assert it). Each app lists its codes in one place.
    ``params`` (optional) fill the code's registered text when the refusal is stored.
    """

    def __init__(self, message, *, code: str = CommonCode.INVALID, params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = str(code)
        # With params, the code's registered text (phocap.common.messages) renders the
        # message again in another language: what a job stores instead of the message.
        self.params = params

    def as_validation_error(self) -> ValidationError:
        """The same refusal for a form field (a form and a service share one rule)."""
        return ValidationError(self.message, code=self.code)
