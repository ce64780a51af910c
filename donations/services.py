"""Every write of the donations app.

Cash received and spent are recomputed in SQL under a lock on the programme row, so
two staff saving at once cannot spend more than came in (the fund invariant).
"""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phocap.accounts.models import User
from phocap.areas.models import AdminUnit
from phocap.common.errors import DomainError
from phocap.common.formatting import format_vnd
from phocap.common.limits import MAX_AMOUNT_VND, MAX_PHONE_PRICE_VND, MAX_PHONES, require_at_most
from phocap.common.locking import locked
from phocap.common.text import fold
from phocap.common.updates import require_editable
from phocap.programmes.models import Programme

from . import allocation
from .codes import new_code
from .errors import Code
from .models import CashAllocation, Donation, Donor, Pledge, Procurement
from .selectors import sum_of, times

# --- normalisation ------------------------------------------------------------------------


def normalise_phone(raw: str | None) -> str:
    """Any Vietnamese way of writing a number → E.164 ("0912 345 678" → "+84912345678")."""
    import phonenumbers

    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(_("Số điện thoại “%(value)s” không hợp lệ.") % {"value": raw}, code=Code.PHONE_INVALID)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_tax_code(raw: str | None, *, required: bool = False) -> str:
    """A Vietnamese tax code (MST), 10 digits or 10 + "-" + 3 digits, check digit verified."""
    from stdnum.exceptions import ValidationError as StdnumError
    from stdnum.vn import mst

    raw = (raw or "").strip()
    if not raw:
        if required:
            raise DomainError(_("Doanh nghiệp phải có mã số thuế."), code=Code.TAX_CODE_REQUIRED)
        return ""
    try:
        return mst.format(mst.validate(raw))
    except StdnumError:
        raise DomainError(_("Mã số thuế “%(value)s” không hợp lệ (10 hoặc 13 chữ số, đúng chữ số kiểm tra).")
                          % {"value": raw}, code=Code.TAX_CODE_INVALID)


def _require_within(unit: AdminUnit, province: AdminUnit) -> None:
    if not unit.is_within(province):
        raise DomainError(_("Đơn vị %(unit)s không thuộc %(province)s.") % {"unit": unit, "province": province}, code=Code.UNIT_OUTSIDE_PROVINCE)


def _require_not_negative(value: int, label: str) -> None:
    if value is None or value < 0:
        raise DomainError(_("%(field)s không được âm.") % {"field": label}, code=Code.AMOUNT_NEGATIVE)


# --- donors -------------------------------------------------------------------------------
DONOR_FIELDS = ("kind", "name", "tax_code", "representative", "phone", "address", "unit", "public_consent", "note")


def _clean_donor(values: dict, *, exclude_pk: int | None = None) -> dict:
    values = dict(values)
    values["name"] = " ".join((values.get("name") or "").split())
    if not values["name"]:
        raise DomainError(_("Hãy nhập tên nhà tài trợ."), code=Code.DONOR_NAME_REQUIRED)
    if values.get("kind") not in Donor.Kind.values:
        raise DomainError(_("Loại nhà tài trợ không hợp lệ."), code=Code.DONOR_KIND_INVALID)
    values["tax_code"] = normalise_tax_code(values.get("tax_code"),
                                            required=values["kind"] == Donor.Kind.ENTERPRISE)
    values["phone"] = normalise_phone(values.get("phone"))
    if values["tax_code"]:
        other = Donor.objects.filter(tax_code=values["tax_code"]).exclude(pk=exclude_pk).first()
        if other:
            raise DomainError(_("Mã số thuế %(code)s đã thuộc nhà tài trợ “%(name)s”: cùng mã số thuế là cùng "
                                "một nhà tài trợ.") % {"code": values["tax_code"], "name": other.name}, code=Code.TAX_CODE_TAKEN)
    values["name_ascii"] = fold(values["name"])
    return values


@transaction.atomic
def donor_create(*, kind: str, name: str, unit: AdminUnit, tax_code: str = "", representative: str = "",
                 phone: str = "", address: str = "", public_consent: bool = False, note: str = "") -> Donor:
    values = _clean_donor({"kind": kind, "name": name, "tax_code": tax_code, "representative": representative,
                           "phone": phone, "address": address, "unit": unit, "public_consent": public_consent,
                           "note": note})
    try:
        with transaction.atomic():
            return Donor.objects.create(**values)
    except IntegrityError:  # a concurrent save took the tax code between our check and insert
        raise DomainError(_("Mã số thuế %(code)s đã được dùng.") % {"code": values["tax_code"]}, code=Code.TAX_CODE_TAKEN)


@transaction.atomic
def donor_update(*, donor: Donor, by: User | None = None, **changes) -> Donor:
    require_editable(changes, DONOR_FIELDS, what="donor_update")
    donor = locked(Donor).get(pk=donor.pk)
    values = {f: getattr(donor, f) for f in DONOR_FIELDS}
    values.update(changes)
    values = _clean_donor(values, exclude_pk=donor.pk)
    for field, value in values.items():
        setattr(donor, field, value)
    donor.save(update_fields=[*DONOR_FIELDS, "name_ascii"])
    return donor


# --- pledges ------------------------------------------------------------------------------


def _check_pledge_terms(*, cash_vnd: int, phones: int, pledged_on: datetime.date,
                        due_date: datetime.date | None) -> None:
    _require_not_negative(cash_vnd, _("Số tiền cam kết"))
    _require_not_negative(phones, _("Số điện thoại cam kết"))
    require_at_most(cash_vnd, MAX_AMOUNT_VND, _("Số tiền cam kết"))
    require_at_most(phones, MAX_PHONES, _("Số điện thoại cam kết"), money=False)
    if not cash_vnd and not phones:
        raise DomainError(_("Cam kết phải có số tiền hoặc số điện thoại."), code=Code.PLEDGE_EMPTY)
    if due_date and due_date < pledged_on:
        raise DomainError(_("Hạn thực hiện phải sau ngày cam kết."), code=Code.DUE_BEFORE_PLEDGE)


@transaction.atomic
def pledge_create(*, programme: Programme, donor: Donor, pledged_on: datetime.date, cash_vnd: int = 0,
                  phones: int = 0, due_date: datetime.date | None = None, occasion: str = "",
                  unit: AdminUnit | None = None, note: str = "", by: User | None = None) -> Pledge:
    unit = unit or programme.province
    _require_within(unit, programme.province)
    _check_pledge_terms(cash_vnd=cash_vnd, phones=phones, pledged_on=pledged_on, due_date=due_date)
    return Pledge.objects.create(programme=programme, donor=donor, unit=unit, pledged_on=pledged_on,
                                 occasion=occasion.strip(), cash_vnd=cash_vnd, phones=phones, due_date=due_date,
                                 note=note, created_by=by)


PLEDGE_FIELDS = ("pledged_on", "occasion", "cash_vnd", "phones", "due_date", "note")


@transaction.atomic
def pledge_update(*, pledge: Pledge, by: User | None = None, **changes) -> Pledge:
    """Correct a pledge or move its due date; the donor and programme stay."""
    require_editable(changes, PLEDGE_FIELDS, what="pledge_update")
    pledge = locked(Pledge).get(pk=pledge.pk)
    if pledge.cancelled_at:
        raise DomainError(_("Cam kết này đã bị hủy, không thể sửa."), code=Code.PLEDGE_CANCELLED)
    for field, value in changes.items():
        setattr(pledge, field, value)
    pledge.occasion = (pledge.occasion or "").strip()
    _check_pledge_terms(cash_vnd=pledge.cash_vnd, phones=pledge.phones, pledged_on=pledge.pledged_on,
                        due_date=pledge.due_date)
    pledge.save(update_fields=list(PLEDGE_FIELDS))
    return pledge


@transaction.atomic
def pledge_cancel(*, pledge: Pledge, reason: str, by: User | None = None) -> Pledge:
    pledge = locked(Pledge).get(pk=pledge.pk)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Hãy nêu lý do hủy cam kết."), code=Code.REASON_REQUIRED)
    if pledge.cancelled_at:
        raise DomainError(_("Cam kết này đã bị hủy."), code=Code.PLEDGE_CANCELLED)
    pledge.cancelled_at = timezone.now()
    pledge.cancel_reason = reason
    pledge.save(update_fields=["cancelled_at", "cancel_reason"])
    return pledge


@transaction.atomic
def pledges_mark_overdue(*, today: datetime.date | None = None) -> int:
    """Note when each pledge was first found overdue (for the follow-up list).

    Idempotent: a pledge already noted keeps its first date; one that stopped being
    overdue (paid, cancelled, due date moved) has the note cleared. Two set-based UPDATEs.
    """
    today = today or timezone.localdate()
    overdue_ids = Pledge.objects.overdue(today).values("pk")
    noted = Pledge.objects.filter(pk__in=overdue_ids, overdue_noted_at__isnull=True).update(
        overdue_noted_at=timezone.now())
    Pledge.objects.filter(overdue_noted_at__isnull=False).exclude(pk__in=overdue_ids).update(overdue_noted_at=None)
    return noted


# --- the fund -----------------------------------------------------------------------------


def cash_received_vnd(programme_id: int) -> int:
    return sum_of(Donation.objects.filter(programme_id=programme_id).effective(), "cash_vnd")


def cash_spent_vnd(programme_id: int) -> int:
    return sum_of(Procurement.objects.filter(programme_id=programme_id).effective(), times("unit_price_vnd", "quantity"))


def _lock_programme(programme: Programme) -> Programme:
    # Every write that moves the fund's balance takes this one row lock first, so the
    # balance read below cannot change until our transaction commits.
    return locked(Programme).get(pk=programme.pk)


def _supersede(**source) -> None:
    """Set aside the standing allocations of one donation or purchase before it stops
    counting or shrinks (the database refuses a gift holding more than it has)."""
    CashAllocation.objects.active().filter(**source).update(superseded_at=timezone.now())


def _reallocate(programme: Programme, *, check: bool | None = None) -> tuple[int, int]:
    """First received, first spent, for the whole programme (only rows that change are
    written). Called with the programme locked and the balance checked. The check after it
    is what SQLite has for "a purchase's allocations sum to its amount"; PostgreSQL's
    deferred trigger holds that at commit, so there it runs only when asked (backfill)."""
    counts = allocation.reallocate(programme.pk)
    if check is None:
        check = connection.vendor != "postgresql"
    short = allocation_drift(programme.pk) if check else []
    if short:
        raise DomainError(_("Không phân bổ được tiền cho các đợt mua sắm: %(rows)s.")
                          % {"rows": "; ".join(short)}, code=Code.ALLOCATION_INCOMPLETE)
    return counts


def allocation_drift(programme_id: int) -> list[str]:
    """Purchases whose standing allocations do not sum to their amount and quantity, and
    gifts allocated more than they hold: empty when the identities hold (2 queries)."""
    from .selectors import allocation_differences

    return allocation_differences(programme_id)


# --- donations ----------------------------------------------------------------------------
DONATION_FIELDS = ("donor", "unit", "received_on", "cash_vnd", "cash_method", "receipt_number", "phones_count",
                   "phone_model", "phone_condition", "phone_unit_value_vnd", "pledge", "note")


def _clean_donation(programme: Programme, values: dict, *, exclude_pk: int | None = None) -> dict:
    values = dict(values)
    _require_within(values["unit"], programme.province)
    cash = values.get("cash_vnd") or 0
    phones = values.get("phones_count") or 0
    _require_not_negative(cash, _("Số tiền"))
    _require_not_negative(phones, _("Số điện thoại"))
    require_at_most(cash, MAX_AMOUNT_VND, _("Số tiền"))
    require_at_most(phones, MAX_PHONES, _("Số điện thoại"), money=False)
    if not cash and not phones:
        raise DomainError(_("Khoản ủng hộ phải có số tiền hoặc số điện thoại hiện vật."), code=Code.DONATION_EMPTY)
    values["cash_vnd"], values["phones_count"] = cash, phones
    if cash:
        if values.get("cash_method") not in Donation.CashMethod.values:
            raise DomainError(_("Hãy chọn hình thức nhận tiền (tiền mặt hoặc chuyển khoản)."), code=Code.CASH_METHOD_REQUIRED)
    else:
        values["cash_method"] = ""
    if phones:
        if values.get("phone_condition") not in Donation.PhoneCondition.values:
            raise DomainError(_("Hãy chọn tình trạng máy (mới hoặc đã qua sử dụng)."), code=Code.PHONE_CONDITION_REQUIRED)
        if not values.get("phone_unit_value_vnd"):
            values["phone_unit_value_vnd"] = programme.default_phone_price_vnd
        _require_not_negative(values["phone_unit_value_vnd"], _("Giá trị mỗi máy"))
        require_at_most(values["phone_unit_value_vnd"], MAX_PHONE_PRICE_VND, _("Giá trị mỗi máy"))
    else:
        values.update(phone_model="", phone_condition="", phone_unit_value_vnd=0)
    if values["received_on"] > timezone.localdate():
        raise DomainError(_("Ngày tiếp nhận không được sau hôm nay."), code=Code.DATE_IN_FUTURE)
    values["receipt_number"] = (values.get("receipt_number") or "").strip()
    if values["receipt_number"] and Donation.objects.filter(
            programme=programme, receipt_number=values["receipt_number"], reversed_at__isnull=True,
    ).exclude(pk=exclude_pk).exists():
        raise DomainError(_("Số phiếu thu %(no)s đã có trong chương trình.") % {"no": values["receipt_number"]}, code=Code.RECEIPT_NUMBER_TAKEN)
    pledge = values.get("pledge")
    if pledge is not None:
        if pledge.programme_id != programme.pk or pledge.donor_id != values["donor"].pk:
            raise DomainError(_("Cam kết được chọn không phải của nhà tài trợ này trong chương trình này."), code=Code.PLEDGE_MISMATCH)
        if pledge.cancelled_at:
            raise DomainError(_("Cam kết này đã bị hủy, không thể ghi nhận thực hiện."), code=Code.PLEDGE_CANCELLED)
    return values


def _require_balance(programme: Programme, *, message: str) -> None:
    received, spent = cash_received_vnd(programme.pk), cash_spent_vnd(programme.pk)
    if spent > received:
        raise DomainError(message % {"received": format_vnd(received), "spent": format_vnd(spent)}, code=Code.FUND_WOULD_GO_NEGATIVE)


def _registered_devices(donation: Donation) -> int:
    """Phones already registered (by distribution) against this gift, via the reverse
    relation by name: donations never imports distribution, which may not be installed."""
    if not hasattr(Donation, "devices"):
        return 0
    return donation.devices.count()


@transaction.atomic
def donation_create(*, programme: Programme, donor: Donor, unit: AdminUnit, received_on: datetime.date,
                    cash_vnd: int = 0, cash_method: str = "", receipt_number: str = "", phones_count: int = 0,
                    phone_model: str = "", phone_condition: str = "", phone_unit_value_vnd: int = 0,
                    pledge: Pledge | None = None, note: str = "", by: User | None = None) -> Donation:
    values = _clean_donation(programme, {
        "donor": donor, "unit": unit, "received_on": received_on, "cash_vnd": cash_vnd, "cash_method": cash_method,
        "receipt_number": receipt_number, "phones_count": phones_count, "phone_model": phone_model,
        "phone_condition": phone_condition, "phone_unit_value_vnd": phone_unit_value_vnd, "pledge": pledge,
        "note": note})
    if values["cash_vnd"]:
        programme = _lock_programme(programme)
    try:
        with transaction.atomic():
            donation = Donation.objects.create(programme=programme, created_by=by, public_code=new_code(), **values)
    except IntegrityError:  # the receipt number was taken by a concurrent save
        raise DomainError(_("Số phiếu thu %(no)s đã có trong chương trình.") % {"no": values["receipt_number"]},
                          code=Code.RECEIPT_NUMBER_TAKEN)
    # Cash received earlier than money already spent (a gift typed in late) comes first in
    # the queue: the purchases are re-allocated by the rule.
    if values["cash_vnd"] and CashAllocation.objects.active().filter(
            programme=programme, donation__received_on__gt=donation.received_on).exists():
        _reallocate(programme)
    return donation


@transaction.atomic
def donation_update(*, donation: Donation, by: User | None = None, **changes) -> Donation:
    """Correct a gift that has not been thanked yet; afterwards only a reversal may change it."""
    require_editable(changes, DONATION_FIELDS, what="donation_update")
    programme = _lock_programme(donation.programme)
    donation = locked(Donation).get(pk=donation.pk)
    if donation.acknowledged_at:
        raise DomainError(_("Khoản ủng hộ đã được gửi thư cảm ơn: chỉ có thể điều chỉnh bằng bút toán đảo."), code=Code.DONATION_ACKNOWLEDGED)
    if donation.reverses_id or donation.reversed_at:
        raise DomainError(_("Khoản ủng hộ đã có bút toán đảo, không thể sửa."), code=Code.DONATION_REVERSED)
    values = {f: getattr(donation, f) for f in DONATION_FIELDS}
    values.update(changes)
    values = _clean_donation(programme, values, exclude_pk=donation.pk)
    registered = _registered_devices(donation)
    if values["phones_count"] < registered:
        raise DomainError(ngettext("Đã nhập %(n)s máy theo khoản này; số điện thoại hiện vật không thể ít hơn.", "Đã nhập %(n)s máy theo khoản này; số điện thoại hiện vật không thể ít hơn.", registered)
                          % {"n": registered}, code=Code.PHONES_BELOW_REGISTERED)
    requeue = (values["cash_vnd"], values["received_on"]) != (donation.cash_vnd, donation.received_on)
    if requeue:
        _supersede(donation=donation)
    for field, value in values.items():
        setattr(donation, field, value)
    donation.save(update_fields=list(DONATION_FIELDS))
    _require_balance(programme, message=_(
        "Không thể giảm số tiền: chương trình đã chi %(spent)s mua điện thoại, nhiều hơn số tiền "
        "còn lại sau khi sửa (%(received)s)."))
    if requeue:
        _reallocate(programme)
    return donation


@transaction.atomic
def donation_reverse(*, donation: Donation, reason: str, by: User | None = None) -> Donation:
    """Cancel a gift by a reversing entry: both rows stay, neither counts any more."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Hãy nêu lý do đảo khoản ủng hộ."), code=Code.REASON_REQUIRED)
    programme = _lock_programme(donation.programme)
    donation = locked(Donation).get(pk=donation.pk)
    if donation.reverses_id:
        raise DomainError(_("Đây là một bút toán đảo, không thể đảo lại."), code=Code.REVERSAL_NOT_REVERSIBLE)
    if donation.reversed_at:
        raise DomainError(_("Khoản ủng hộ này đã được đảo."), code=Code.DONATION_REVERSED)
    if _registered_devices(donation):
        raise DomainError(_("Đã nhập máy (IMEI) theo khoản ủng hộ này; hãy xử lý các máy đó trước khi đảo."),
                          code=Code.DONATION_HAS_DEVICES)
    _supersede(donation=donation)
    donation.reversed_at = timezone.now()
    donation.save(update_fields=["reversed_at"])
    reversal = Donation.objects.create(
        programme=programme, donor_id=donation.donor_id, unit_id=donation.unit_id,
        received_on=timezone.localdate(), cash_vnd=donation.cash_vnd, cash_method=donation.cash_method,
        phones_count=donation.phones_count, phone_model=donation.phone_model,
        phone_condition=donation.phone_condition, phone_unit_value_vnd=donation.phone_unit_value_vnd,
        reverses=donation, reason=reason, created_by=by)
    _require_balance(programme, message=_(
        "Không thể đảo khoản ủng hộ: chương trình đã chi %(spent)s mua điện thoại, nhiều hơn số tiền "
        "còn lại sau khi đảo (%(received)s)."))
    _reallocate(programme)  # the purchases it paid for draw on the next gifts in line
    return reversal


@transaction.atomic
def donation_acknowledge(*, donation: Donation, kind: str = Donation.AckKind.LETTER, by: User | None = None) -> Donation:
    """Record that the donor was thanked; the first date stays if printed again."""
    if kind not in Donation.AckKind.values:
        raise DomainError(_("Hình thức cảm ơn không hợp lệ."), code=Code.ACK_KIND_INVALID)
    donation = locked(Donation).get(pk=donation.pk)
    if donation.reverses_id:
        raise DomainError(_("Không gửi thư cảm ơn cho một bút toán đảo."), code=Code.ACK_OF_REVERSAL)
    if donation.reversed_at:
        raise DomainError(_("Khoản ủng hộ này đã được đảo, không gửi thư cảm ơn."), code=Code.DONATION_REVERSED)
    if donation.acknowledged_at is None:
        donation.acknowledged_at = timezone.now()
        donation.ack_kind = kind
        donation.save(update_fields=["acknowledged_at", "ack_kind"])
    return donation


# --- procurement --------------------------------------------------------------------------


@transaction.atomic
def procurement_create(*, programme: Programme, supplier: str, purchased_on: datetime.date, quantity: int,
                       unit_price_vnd: int | None = None, unit: AdminUnit | None = None,
                       invoice_number: str = "", phone_model: str = "", note: str = "", by: User | None = None) -> Procurement:
    """Buy phones with the programme's cash; refused when the cash received does not cover it."""
    programme = _lock_programme(programme)
    unit = unit or programme.province
    _require_within(unit, programme.province)
    supplier = " ".join((supplier or "").split())
    if not supplier:
        raise DomainError(_("Hãy nhập nhà cung cấp."), code=Code.SUPPLIER_REQUIRED)
    if not quantity or quantity <= 0:
        raise DomainError(_("Số lượng phải lớn hơn 0."), code=Code.QUANTITY_NOT_POSITIVE)
    unit_price_vnd = unit_price_vnd or programme.default_phone_price_vnd
    if unit_price_vnd <= 0:
        raise DomainError(_("Đơn giá phải lớn hơn 0."), code=Code.PRICE_NOT_POSITIVE)
    require_at_most(unit_price_vnd, MAX_PHONE_PRICE_VND, _("Đơn giá"))
    require_at_most(quantity, MAX_PHONES, _("Số lượng"), money=False)
    invoice_number = (invoice_number or "").strip()
    if invoice_number and Procurement.objects.filter(programme=programme, invoice_number=invoice_number).exists():
        raise DomainError(_("Hóa đơn số %(no)s đã được ghi.") % {"no": invoice_number}, code=Code.INVOICE_NUMBER_TAKEN)
    cost = unit_price_vnd * quantity
    balance = cash_received_vnd(programme.pk) - cash_spent_vnd(programme.pk)
    if cost > balance:
        raise DomainError(ngettext(
            "Không đủ tiền: mua %(qty)s máy hết %(cost)s nhưng quỹ chỉ còn %(balance)s. "
            "Hãy giảm số lượng hoặc chờ thêm khoản ủng hộ.",
            "Không đủ tiền: mua %(qty)s máy hết %(cost)s nhưng quỹ chỉ còn %(balance)s. "
            "Hãy giảm số lượng hoặc chờ thêm khoản ủng hộ.", quantity) % {
                "qty": quantity, "cost": format_vnd(cost), "balance": format_vnd(max(balance, 0))}, code=Code.FUND_INSUFFICIENT)
    procurement = Procurement.objects.create(
        programme=programme, unit=unit, supplier=supplier, purchased_on=purchased_on, unit_price_vnd=unit_price_vnd,
        quantity=quantity, invoice_number=invoice_number, phone_model=phone_model, note=note, created_by=by)
    _reallocate(programme)  # same transaction, same lock: the purchase and who paid for it
    return procurement


@transaction.atomic
def procurement_reverse(*, procurement: Procurement, reason: str, by: User | None = None) -> Procurement:
    """Cancel a purchase entered by mistake: it stops counting, its allocations are
    superseded (kept) and the later purchases draw on the freed cash by the same rule."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Hãy nêu lý do đảo đợt mua sắm."), code=Code.REASON_REQUIRED)
    programme = _lock_programme(procurement.programme)
    procurement = locked(Procurement).get(pk=procurement.pk)
    if procurement.reversed_at:
        raise DomainError(_("Đợt mua sắm này đã được đảo."), code=Code.PROCUREMENT_REVERSED)
    if hasattr(Procurement, "devices") and procurement.devices.exists():
        raise DomainError(_("Đã nhập máy (IMEI) theo đợt mua sắm này; hãy xử lý các máy đó trước khi đảo."),
                          code=Code.PROCUREMENT_HAS_DEVICES)
    _supersede(procurement=procurement)
    procurement.reversed_at = timezone.now()
    procurement.reverse_reason = reason
    procurement.save(update_fields=["reversed_at", "reverse_reason"])
    _reallocate(programme)
    return procurement


@transaction.atomic
def allocations_backfill(*, programme: Programme) -> tuple[int, int]:
    """Allocate the programme's purchases by the rule (purchases recorded before allocation
    existed); idempotent: a second run writes nothing. Returns (superseded, inserted)."""
    return _reallocate(_lock_programme(programme), check=True)


__all__ = [
    "normalise_phone", "normalise_tax_code", "donor_create", "donor_update", "pledge_create",
    "pledge_update", "pledge_cancel", "pledges_mark_overdue", "donation_create", "donation_update", "donation_reverse",
    "donation_acknowledge", "procurement_create", "procurement_reverse", "allocations_backfill",
    "cash_received_vnd", "cash_spent_vnd",
]
