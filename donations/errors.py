from enum import StrEnum

from phocap.common.errors import CommonCode


class Code(StrEnum):
    """Refusals of the fund's services."""

    PHONE_INVALID = "phone_invalid"
    TAX_CODE_REQUIRED = "tax_code_required"
    TAX_CODE_INVALID = "tax_code_invalid"
    TAX_CODE_TAKEN = "tax_code_taken"
    UNIT_OUTSIDE_PROVINCE = "unit_outside_province"
    AMOUNT_NEGATIVE = "amount_negative"
    DONOR_NAME_REQUIRED = "donor_name_required"
    DONOR_KIND_INVALID = "donor_kind_invalid"
    PLEDGE_EMPTY = "pledge_empty"
    DUE_BEFORE_PLEDGE = "due_before_pledge"
    PLEDGE_CANCELLED = "pledge_cancelled"
    PLEDGE_MISMATCH = "pledge_mismatch"
    REASON_REQUIRED = CommonCode.REASON_REQUIRED.value
    DATE_IN_FUTURE = CommonCode.DATE_IN_FUTURE.value
    DONATION_EMPTY = "donation_empty"
    CASH_METHOD_REQUIRED = "cash_method_required"
    PHONE_CONDITION_REQUIRED = "phone_condition_required"
    RECEIPT_NUMBER_TAKEN = "receipt_number_taken"
    FUND_WOULD_GO_NEGATIVE = "fund_would_go_negative"
    DONATION_ACKNOWLEDGED = "donation_acknowledged"
    DONATION_REVERSED = "donation_reversed"
    PHONES_BELOW_REGISTERED = "phones_below_registered"
    REVERSAL_NOT_REVERSIBLE = "reversal_not_reversible"
    DONATION_HAS_DEVICES = "donation_has_devices"
    ACK_KIND_INVALID = "ack_kind_invalid"
    ACK_OF_REVERSAL = "ack_of_reversal"
    SUPPLIER_REQUIRED = "supplier_required"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    PRICE_NOT_POSITIVE = "price_not_positive"
    INVOICE_NUMBER_TAKEN = "invoice_number_taken"
    FUND_INSUFFICIENT = "fund_insufficient"
    ALLOCATION_INCOMPLETE = "allocation_incomplete"
    PROCUREMENT_REVERSED = "procurement_already_reversed"
    PROCUREMENT_HAS_DEVICES = "procurement_has_devices"
