from enum import StrEnum

from phocap.common.errors import CommonCode


class Code(StrEnum):
    """Refusals of the follow-up visit service."""

    HANDOUT_NOT_ACTIVE = "handout_not_active"
    OUT_OF_AREA = "visit_out_of_area"
    DATE_IN_FUTURE = CommonCode.DATE_IN_FUTURE.value
    BEFORE_HANDOUT = "visit_before_handout"
    VNEID_INVALID = "visit_vneid_invalid"
    PHONE_STATUS_INVALID = "visit_phone_status_invalid"
    CASHLESS_WITHOUT_ACCOUNT = "visit_cashless_without_account"
