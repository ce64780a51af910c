from enum import StrEnum


class Code(StrEnum):
    """Refusals of the coverage services."""

    UNIT_OUTSIDE_PROGRAMME = "unit_outside_programme"
    REPORT_NOT_ALLOWED = "report_not_allowed"
