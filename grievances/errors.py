from enum import StrEnum


class Code(StrEnum):
    """Refusals of the grievance services."""

    COMMUNE_OUTSIDE_PROGRAMME = "grievance_commune_outside_programme"
    NOT_COMMUNE_OFFICIAL = "grievance_not_commune_official"
    NOT_IN_AREA = "grievance_not_in_area"
    ALREADY_HANDLED = "grievance_already_handled"
    OUTCOME_REQUIRED = "grievance_outcome_required"
    DESCRIPTION_REQUIRED = "grievance_description_required"
    KIND_INVALID = "grievance_kind_invalid"
