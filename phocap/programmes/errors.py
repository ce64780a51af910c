from enum import StrEnum


class Code(StrEnum):
    """Refusals of the programme services."""

    COMMUNE_OUTSIDE_PROVINCE = "commune_outside_province"
    PROVINCE_REQUIRED = "province_required"
    PRICE_NOT_POSITIVE = "price_not_positive"
    END_BEFORE_START = "end_before_start"
    PROGRAMME_NAME_TAKEN = "programme_name_taken"
    BASELINE_NEGATIVE = "baseline_negative"
