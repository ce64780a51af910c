from enum import StrEnum


class Code(StrEnum):
    """Refusals of the household registry and its import."""

    IMPORT_FILE_UNUSABLE = "import_file_unusable"
    IMPORT_NOT_A_COMMUNE = "import_not_a_commune"
    IMPORT_NOT_AWAITING_CONFIRMATION = "import_not_awaiting_confirmation"
    IMPORT_HAS_INVALID_ROWS = "import_has_invalid_rows"
    IMPORT_ROW_INVALID = "import_row_invalid"
    CITIZEN_ID_INVALID = "citizen_id_invalid"
    CITIZEN_ID_IN_OTHER_COMMUNE = "citizen_id_in_other_commune"
    CITIZEN_ID_TAKEN = "citizen_id_taken"
    VILLAGE_NOT_IN_COMMUNE = "village_not_in_commune"
    HOUSEHOLD_NEEDS_CODE_OR_ID = "household_needs_code_or_id"
    HOUSEHOLD_COUNTS_INCONSISTENT = "household_counts_inconsistent"
    HOUSEHOLD_NEEDS_CATEGORY = "household_needs_category"
    CATEGORY_INVALID = "category_invalid"
    HOUSEHOLD_CODE_TAKEN = "household_code_taken"
