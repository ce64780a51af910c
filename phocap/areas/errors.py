from enum import StrEnum


class Code(StrEnum):
    """Refusals of the administrative-units services."""

    VILLAGE_NAME_REQUIRED = "village_name_required"
    VILLAGE_PARENT_NOT_COMMUNE = "village_parent_not_commune"
