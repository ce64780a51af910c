from enum import StrEnum

from phocap.common.errors import CommonCode


class Code(StrEnum):
    """Refusals of the distribution services (intake, batches, hand-outs)."""

    UNIT_OUTSIDE_PROGRAMME = "unit_outside_programme"
    DATE_IN_FUTURE = CommonCode.DATE_IN_FUTURE.value
    RECEIVED_BEFORE_DISPATCHED = "received_before_dispatched"
    NOT_OFFICER_OF_UNIT = "not_officer_of_unit"
    REASON_REQUIRED = CommonCode.REASON_REQUIRED.value
    CONCURRENT_CHANGE = CommonCode.CONCURRENT_CHANGE.value
    # intake
    SOURCE_NOT_ONE = "source_not_one"
    IMEI_INVALID = "imei_invalid"
    IMEI_LIST_INVALID = "imei_list_invalid"
    IMEI_LIST_EMPTY = "imei_list_empty"
    INTAKE_CONDITION_INVALID = "intake_condition_invalid"
    SOURCE_REVERSED = "source_reversed"
    SOURCE_OTHER_PROGRAMME = "source_other_programme"
    SOURCE_OTHER_UNIT = "source_other_unit"
    SOURCE_CAPACITY_EXCEEDED = "source_capacity_exceeded"
    IMEI_ALREADY_REGISTERED = "imei_already_registered"
    IMEI_SHEET_UNUSABLE = "imei_sheet_unusable"  # not a spreadsheet by name, or too large to store
    INTAKE_JOB_NOT_AWAITING = "intake_job_not_awaiting"
    # what an intake job stores for the reader (distribution/messages.py words them)
    IMEI_ROW_FORMAT = "imei_row_format"
    IMEI_ROW_LUHN = "imei_row_luhn"
    IMEI_ROW_REPEAT = "imei_row_repeat"
    IMEI_FILE_EMPTY = "imei_file_empty"
    IMEI_FILE_TOO_LARGE = "imei_file_too_large"
    NOT_A_SPREADSHEET = "not_a_spreadsheet"
    IMEI_FILE_MISSING = "imei_file_missing"
    IMEI_NONE_FOUND = "imei_none_found"
    IMEI_READ_TOO_SLOW = "imei_read_too_slow"
    IMEI_WORKER_STOPPED = "imei_worker_stopped"
    IMEI_REGISTERED_BEFORE = "imei_registered_before"
    # batches
    NOT_DIRECT_CHILD = "not_direct_child"
    NO_DISPATCH_TO_VILLAGE = "no_dispatch_to_village"
    PICK_IMEIS_OR_COUNT = "pick_imeis_or_count"
    DEVICES_UNAVAILABLE = "devices_unavailable"
    COUNT_NOT_POSITIVE = "count_not_positive"
    STOCK_INSUFFICIENT = "stock_insufficient"
    BATCH_NUMBER_TAKEN = "batch_number_taken"
    BATCH_NOT_DISPATCHED = "batch_not_dispatched"
    NOT_RECEIVING_OFFICER = "not_receiving_officer"
    NOT_SENDING_OFFICER = "not_sending_officer"
    DEVICE_MISSING_AND_DAMAGED = "device_missing_and_damaged"
    DEVICE_NOT_IN_BATCH = "device_not_in_batch"
    DEVICE_NOT_MISSING = "device_not_missing"
    BATCH_LINE_NOT_FOUND = "batch_line_not_found"
    RESOLUTION_INVALID = "resolution_invalid"
    DEVICE_NOT_WRITABLE_OFF = "device_not_writable_off"
    # one device's place
    DEVICE_OTHER_PROGRAMME = "device_other_programme"
    # "not in this unit's stock": in another's, in transit, missing or written off (the message says where)
    DEVICE_NOT_IN_STOCK = "device_not_in_stock"
    DEVICE_HANDED_OUT = "device_handed_out"
    DEVICE_DAMAGED = "device_damaged"
    # hand-outs
    NOT_COMMUNE_OFFICIAL = "not_commune_official"
    NO_PROGRAMME = "no_programme"  # the commune is in no running programme (API, none named)
    HOUSEHOLD_INACTIVE = "household_inactive"
    DATE_BEFORE_PROGRAMME = "date_before_programme"
    PERSON_NOT_IN_HOUSEHOLD = "person_not_in_household"
    PERSON_ALREADY_RECEIVED = "person_already_received"
    CITIZEN_ID_ALREADY_RECEIVED = "citizen_id_already_received"
    RECIPIENT_NAME_REQUIRED = "recipient_name_required"
    # The household holds its phone(s), or this person holds one (the offline app's conflict code).
    HOUSEHOLD_ALREADY_RECEIVED = "household_already_received"
    IMEI_NOT_REGISTERED = "imei_not_registered"
    HANDOUT_ALREADY_REVERSED = "handout_already_reversed"
    # signed minutes
    SCAN_TYPE_INVALID = "scan_type_invalid"
    SCAN_TOO_LARGE = "scan_too_large"
    SCAN_BATCH_NOT_SENT = "scan_batch_not_sent"
    # Reasons the carry-over writes on the history and ledger rows it makes (distribution.messages).
    REASON_CARRIED_OVER = "reason_carried_over"
    REASON_CARRY_OVER_UNDONE = "reason_carry_over_undone"
    # Why a carry-over cannot run yet (its report's blockers, stored as codes: distribution.messages).
    BLOCKER_TARGET_NOT_CONVERTED = "blocker_target_not_converted"
    BLOCKER_COMMUNE_NOT_CONVERTED = "blocker_commune_not_converted"
    BLOCKER_OTHER_PROVINCE = "blocker_other_province"
    BLOCKER_VILLAGES_UNCHOSEN = "blocker_villages_unchosen"
    BLOCKER_STOCK_NOT_CONVERTED = "blocker_stock_not_converted"
    BLOCKER_DISTRICT_STOCK = "blocker_district_stock"
    BLOCKER_BATCHES_IN_TRANSIT = "blocker_batches_in_transit"
    BLOCKER_OTHER_PROGRAMMES = "blocker_other_programmes"
