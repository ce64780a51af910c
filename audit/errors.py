from enum import StrEnum


class Code(StrEnum):
    """Refusals of the audit services."""

    INSPECTION_NOT_ALLOWED = "inspection_not_allowed"
