from enum import StrEnum


class Code(StrEnum):
    """Refusals of the programme services."""

    COMMUNE_OUTSIDE_PROVINCE = "commune_outside_province"
    PROVINCE_REQUIRED = "province_required"
    PRICE_NOT_POSITIVE = "price_not_positive"
    END_BEFORE_START = "end_before_start"
    PROGRAMME_NAME_TAKEN = "programme_name_taken"
    BASELINE_NEGATIVE = "baseline_negative"
    BAD_STATUS = "bad_status"
    FILE_TOO_LARGE = "file_too_large"
    IMPORT_NOT_APPLICABLE = "import_not_applicable"
    MIN_AGE_TOO_LOW = "min_age_too_low"
    NAME_REQUIRED = "name_required"
    NO_ELIGIBLE_CATEGORY = "no_eligible_category"
    NO_TARGETS = "no_targets"
    NOT_AN_EXTENSION = "not_an_extension"
    PLAN_NUMBER_REQUIRED = "plan_number_required"
    PROGRAMME_CLOSED = "programme_closed"
    PROGRAMME_DRAFT = "programme_draft"
    PROGRAMME_ENDED = "programme_ended"
    PROGRAMME_NOT_STARTED = "programme_not_started"
    PROVINCE_LOCKED = "province_locked"
    PROVINCE_NOT_IN_SCHEME = "province_not_in_scheme"
    REASON_REQUIRED = "reason_required"
    TARGET_NEGATIVE = "target_negative"

    # The target list import (phocap/programmes/imports.py): why the file failed and each
    # row's problem, stored as code + params and worded for the reader (programmes.messages).
    TARGET_NO_HEADER = "target_no_header"
    TARGET_TOO_MANY_ROWS = "target_too_many_rows"
    TARGET_IMPORT_STOPPED = "target_import_stopped"
    TARGET_HEADER_ONLY = "target_header_only"
    TARGET_CODE_NOT_IN_PROVINCE = "target_code_not_in_province"
    TARGET_NAME_NOT_IN_PROVINCE = "target_name_not_in_province"
    TARGET_NAME_AMBIGUOUS = "target_name_ambiguous"
    TARGET_COMMUNE_MISSING = "target_commune_missing"
    TARGET_COUNT_INVALID = "target_count_invalid"
    TARGET_BASELINE_MISSING = "target_baseline_missing"
    TARGET_COMMUNE_REPEATED = "target_commune_repeated"
