"""Donors, pledges, donations (cash and in kind) and procurement of phones with the cash.

Money is whole VND in BigIntegerField. Nothing here is deleted: an acknowledged
donation is corrected by a reversing entry (a row whose `reverses` points at the
original). A pledge's status is computed from the donations linked to it
(`PledgeQuerySet.with_status`), never stored.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, models
from django.db.models import Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from phocap.accounts.scoping import ScopedQuerySet
from phocap.areas.models import AdminUnit
from phocap.common.formatting import format_date
from phocap.common.limits import MAX_AMOUNT_VND, MAX_PHONE_PRICE_VND, MAX_PHONES
from phocap.common.text import fold
from phocap.programmes.models import Programme


def effective_q(prefix: str = "") -> Q:
    """A gift that counts: neither a reversing entry nor reversed by one.

    `prefix` reaches donations through a relation ("donations__" from a donor or pledge).
    """
    return Q(**{f"{prefix}reverses__isnull": True, f"{prefix}reversed_at__isnull": True})


# --- donors -------------------------------------------------------------------------------
class DonorQuerySet(ScopedQuerySet):
    def search(self, text: str):
        """Name, tax code or phone; diacritics and case do not matter."""
        text = (text or "").strip()
        if not text:
            return self
        folded = fold(text)
        return self.filter(Q(name_ascii__contains=folded) | Q(tax_code=text) | Q(phone__contains=text))


class Donor(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", _("Cơ quan, đơn vị")
        ENTERPRISE = "enterprise", _("Doanh nghiệp")
        INDIVIDUAL = "individual", _("Cá nhân")
        OTHER = "other", _("Tổ chức khác")

    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=255)
    # fold(name): search without diacritics and the likely-duplicate check.
    name_ascii = models.CharField(max_length=255, db_index=True, editable=False)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    representative = models.CharField(_("người đại diện"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, help_text=_("Lưu theo dạng +84…"))
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    # The unit the donor belongs to (where it was recorded); decides who sees the record.
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="donors",
                             verbose_name=_("thuộc đơn vị"))
    public_consent = models.BooleanField(_("đồng ý công khai tên"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DonorQuerySet.as_manager()
    # Who changed a donor's details and when (auditors ask); the folded name is derived.
    history = HistoricalRecords(excluded_fields=["name_ascii"])

    class Meta:
        verbose_name = _("nhà tài trợ")
        verbose_name_plural = _("nhà tài trợ")
        ordering = ["name_ascii", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["agency", "enterprise", "individual", "other"]),
                                   name="donor_kind_valid"),
            # The same tax code is the same donor.
            models.UniqueConstraint(fields=["tax_code"], condition=~Q(tax_code=""), name="donor_tax_code_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="donor_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("donations:donor_detail", args=[self.pk])


# --- pledges ------------------------------------------------------------------------------
class PledgeStatus(models.TextChoices):
    OPEN = "open", _("Chưa thực hiện")
    PARTLY = "partly", _("Đã thực hiện một phần")
    FULFILLED = "fulfilled", _("Đã hoàn thành")
    OVERDUE = "overdue", _("Quá hạn")
    CANCELLED = "cancelled", _("Đã hủy")


STATUS_BADGES = {"open": "", "partly": "warn", "fulfilled": "ok", "overdue": "err", "cancelled": ""}


class PledgeQuerySet(ScopedQuerySet):
    def with_fulfilment(self):
        """cash_received_vnd / phones_received: effective donations linked to the pledge."""
        effective = effective_q("donations__")
        return self.annotate(
            cash_received_vnd=Coalesce(Sum("donations__cash_vnd", filter=effective), Value(0),
                                       output_field=models.BigIntegerField()),
            phones_received=Coalesce(Sum("donations__phones_count", filter=effective), Value(0),
                                     output_field=models.BigIntegerField()),
        )

    def with_status(self, today: datetime.date | None = None):
        """Annotate `status` (see PledgeStatus), computed in SQL from linked donations."""
        today = today or timezone.localdate()
        qs = self.with_fulfilment()
        fulfilled = Q(cash_received_vnd__gte=F("cash_vnd"), phones_received__gte=F("phones"))
        return qs.annotate(status=Case(
            When(cancelled_at__isnull=False, then=Value(PledgeStatus.CANCELLED.value)),
            When(fulfilled, then=Value(PledgeStatus.FULFILLED.value)),
            When(due_date__lt=today, then=Value(PledgeStatus.OVERDUE.value)),
            When(Q(cash_received_vnd__gt=0) | Q(phones_received__gt=0), then=Value(PledgeStatus.PARTLY.value)),
            default=Value(PledgeStatus.OPEN.value),
            output_field=models.CharField(),
        ))

    def overdue(self, today: datetime.date | None = None):
        return self.with_status(today).filter(status=PledgeStatus.OVERDUE)

    def active(self):
        return self.filter(cancelled_at__isnull=True)


class Pledge(models.Model):
    """A promise (cam kết ủng hộ): cash and/or phones by a due date."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pledges",
                                  verbose_name=_("chương trình"))
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("nhà tài trợ"))
    # The unit following up the pledge (the province by default); decides who sees it.
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="pledges",
                             verbose_name=_("đơn vị theo dõi"))
    pledged_on = models.DateField(_("ngày cam kết"))
    occasion = models.CharField(_("dịp"), max_length=255, blank=True, help_text=_("Ví dụ: Lễ phát động 11/8/2023"))
    cash_vnd = models.BigIntegerField(_("số tiền cam kết (₫)"), default=0)
    phones = models.PositiveIntegerField(_("số điện thoại cam kết"), default=0)
    due_date = models.DateField(_("hạn thực hiện"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True)
    # Set by the nightly job the first time the pledge is found overdue (follow-up list);
    # the status itself is always computed.
    overdue_noted_at = models.DateTimeField(_("phát hiện quá hạn lúc"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PledgeQuerySet.as_manager()
    # Amounts and due dates may be corrected; the trail keeps what was promised before.
    history = HistoricalRecords(excluded_fields=["overdue_noted_at"])

    class Meta:
        verbose_name = _("cam kết ủng hộ")
        verbose_name_plural = _("cam kết ủng hộ")
        ordering = ["-pledged_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cash_vnd__gte=0), name="pledge_cash_not_negative"),
            models.CheckConstraint(condition=Q(cash_vnd__lte=MAX_AMOUNT_VND, phones__lte=MAX_PHONES),
                                   name="pledge_amounts_bounded"),
            models.CheckConstraint(condition=Q(cash_vnd__gt=0) | Q(phones__gt=0), name="pledge_not_empty"),
            models.CheckConstraint(condition=Q(due_date__isnull=True) | Q(due_date__gte=F("pledged_on")),
                                   name="pledge_due_after_pledged"),
            models.CheckConstraint(condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""),
                                   name="pledge_cancel_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.donor} — {format_date(self.pledged_on)}"

    def get_absolute_url(self) -> str:
        return reverse("donations:pledge_detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        status = getattr(self, "status", None)
        return str(PledgeStatus(status).label) if status else ""

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(getattr(self, "status", ""), "")


# --- donations ----------------------------------------------------------------------------
class DonationQuerySet(ScopedQuerySet):
    def effective(self):
        """Gifts that count: neither a reversing entry nor reversed by one."""
        return self.filter(effective_q())

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(donor__name_ascii__contains=fold(text)) | Q(receipt_number=text))


class Donation(models.Model):
    """A gift received (khoản ủng hộ): cash and/or phones in kind.

    A reversing entry is a row with `reverses` set: it copies the original's amounts
    (positive) and carries the reason; both rows then stop counting (`effective()`).
    """

    class CashMethod(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        BANK = "bank_transfer", _("Chuyển khoản")

    class PhoneCondition(models.TextChoices):
        NEW = "new", _("Mới")
        USED = "used", _("Đã qua sử dụng")

    class AckKind(models.TextChoices):
        LETTER = "letter", _("Thư cảm ơn")
        CERTIFICATE = "certificate", _("Giấy chứng nhận")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="donations",
                                  verbose_name=_("chương trình"))
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="donations", verbose_name=_("nhà tài trợ"))
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="donations_received",
                             verbose_name=_("đơn vị tiếp nhận"))
    received_on = models.DateField(_("ngày tiếp nhận"))
    cash_vnd = models.BigIntegerField(_("số tiền (₫)"), default=0)
    cash_method = models.CharField(_("hình thức"), max_length=16, choices=CashMethod.choices, blank=True)
    receipt_number = models.CharField(_("số phiếu thu / chứng từ"), max_length=50, blank=True)
    phones_count = models.PositiveIntegerField(_("số điện thoại hiện vật"), default=0)
    phone_model = models.CharField(_("loại máy"), max_length=120, blank=True)
    phone_condition = models.CharField(_("tình trạng máy"), max_length=8, choices=PhoneCondition.choices, blank=True)
    phone_unit_value_vnd = models.BigIntegerField(_("giá trị mỗi máy (₫)"), default=0)
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, null=True, blank=True, related_name="donations",
                               verbose_name=_("thực hiện cam kết"))
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversal", verbose_name=_("bút toán đảo của"))
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    # Set on the original, in the reversal's transaction: lets the receipt number be reused
    # by the corrected gift and keeps `effective()` a plain filter.
    reversed_at = models.DateTimeField(_("đã đảo lúc"), null=True, blank=True, editable=False)
    note = models.TextField(_("ghi chú"), blank=True)
    acknowledged_at = models.DateTimeField(_("đã cảm ơn lúc"), null=True, blank=True)
    ack_kind = models.CharField(_("hình thức cảm ơn"), max_length=12, choices=AckKind.choices, blank=True)
    # The code printed on the acknowledgement letter (and its QR code): anyone holding it
    # opens the gift's public page. Random, ~59 bits, never derived from the id.
    public_code = models.CharField(_("mã tra cứu"), max_length=12, unique=True, null=True, blank=True,
                                   editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DonationQuerySet.as_manager()
    # Edits before acknowledgement leave a trail; afterwards only reversing entries change totals.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("khoản ủng hộ")
        verbose_name_plural = _("khoản ủng hộ")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cash_vnd__gte=0), name="donation_cash_not_negative"),
            models.CheckConstraint(condition=Q(cash_vnd__lte=MAX_AMOUNT_VND, phones_count__lte=MAX_PHONES,
                                               phone_unit_value_vnd__lte=MAX_PHONE_PRICE_VND),
                                   name="donation_amounts_bounded"),
            models.CheckConstraint(condition=Q(phone_unit_value_vnd__gte=0), name="donation_phone_value_not_negative"),
            models.CheckConstraint(condition=Q(cash_vnd__gt=0) | Q(phones_count__gt=0), name="donation_not_empty"),
            models.CheckConstraint(
                condition=Q(cash_vnd=0) | Q(cash_method__in=["cash", "bank_transfer"]),
                name="donation_cash_has_method"),
            models.CheckConstraint(
                condition=Q(phones_count=0) | Q(phone_condition__in=["new", "used"]),
                name="donation_phones_have_condition"),
            models.CheckConstraint(condition=Q(reverses__isnull=True) | ~Q(reason=""),
                                   name="donation_reversal_has_reason"),
            # A reversing entry is never itself reversed.
            models.CheckConstraint(condition=Q(reverses__isnull=True) | Q(reversed_at__isnull=True),
                                   name="donation_reversal_not_reversed"),
            # A receipt number identifies one standing gift within the programme (reversals carry
            # none; a reversed gift frees its number for the corrected one).
            models.UniqueConstraint(fields=["programme", "receipt_number"],
                                    condition=~Q(receipt_number="") & Q(reversed_at__isnull=True),
                                    name="donation_receipt_unique_in_programme"),
        ]
        indexes = [models.Index(fields=["programme", "received_on"], name="donation_prog_date")]

    def __str__(self) -> str:
        prefix = _("Đảo") + " " if self.reverses_id else ""
        return f"{prefix}{self.donor} — {format_date(self.received_on)}"

    def get_absolute_url(self) -> str:
        return reverse("donations:donation_detail", args=[self.pk])

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None

    @property
    def in_kind_value_vnd(self) -> int:
        return self.phones_count * self.phone_unit_value_vnd

    @property
    def public_code_display(self) -> str:
        """The look-up code in groups of four, as printed on the letter."""
        code = self.public_code or ""
        return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


# --- procurement --------------------------------------------------------------------------
class ProcurementQuerySet(ScopedQuerySet):
    def effective(self):
        """Purchases that count (not reversed)."""
        return self.filter(reversed_at__isnull=True)


class Procurement(models.Model):
    """Phones bought with the programme's cash; `quantity` phones arrive at `unit`."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="procurements",
                                  verbose_name=_("chương trình"))
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="procurements",
                             verbose_name=_("đơn vị nhận máy"))
    supplier = models.CharField(_("nhà cung cấp"), max_length=255)
    purchased_on = models.DateField(_("ngày mua"))
    unit_price_vnd = models.BigIntegerField(_("đơn giá (₫)"))
    quantity = models.PositiveIntegerField(_("số lượng"))
    invoice_number = models.CharField(_("số hóa đơn"), max_length=50, blank=True)
    phone_model = models.CharField(_("loại máy"), max_length=120, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    # A purchase entered by mistake is reversed, never deleted: it stops counting and its
    # cash allocations are superseded (kept as history).
    reversed_at = models.DateTimeField(_("đã đảo lúc"), null=True, blank=True, editable=False)
    reverse_reason = models.CharField(_("lý do đảo"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ProcurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("mua sắm điện thoại")
        verbose_name_plural = _("mua sắm điện thoại")
        ordering = ["-purchased_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price_vnd__gt=0), name="procurement_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="procurement_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_vnd__lte=MAX_PHONE_PRICE_VND, quantity__lte=MAX_PHONES),
                                   name="procurement_amounts_bounded"),
            models.UniqueConstraint(fields=["programme", "invoice_number"], condition=~Q(invoice_number=""),
                                    name="procurement_invoice_unique_in_programme"),
            models.CheckConstraint(condition=Q(reversed_at__isnull=True) | ~Q(reverse_reason=""),
                                   name="procurement_reversal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} — {self.quantity}"

    @property
    def total_vnd(self) -> int:
        return self.unit_price_vnd * self.quantity


# --- allocation of cash to purchases ---------------------------------------------------------
class CashAllocationQuerySet(models.QuerySet):
    def active(self):
        """The standing allocation; superseded rows are history."""
        return self.filter(superseded_at__isnull=True)

    def delete(self):
        raise IntegrityError("cash allocations are history: supersede them, never delete")


class CashAllocation(models.Model):
    """This much of a donation's cash paid for this purchase (first received, first spent).

    Written only by `donations.allocation.reallocate`, inside the purchase's or reversal's
    transaction under the programme lock. A change supersedes rows (`superseded_at`), never
    deletes them, so the history of who paid for what stays. `offset_vnd` is where this
    slice starts inside the purchase; `phones` is the whole phones counted for the gift:
    phone k of a purchase of amount A and quantity q is counted for the gift whose money
    pays its last đồng, the point k·A/q (see docs/donations.md).

    The database holds: active allocations of a purchase sum to its amount and its
    quantity; those of a donation never exceed its cash (0 once reversed) — PostgreSQL by
    deferred constraint triggers, SQLite by triggers that refuse any excess (migrations 0006, 0007).
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="allocations")
    procurement = models.ForeignKey(Procurement, on_delete=models.PROTECT, related_name="allocations")
    amount_vnd = models.BigIntegerField(_("số tiền (₫)"))
    offset_vnd = models.BigIntegerField(default=0)
    phones = models.PositiveIntegerField(_("số máy tính cho khoản này"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = CashAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân bổ tiền mua máy")
        verbose_name_plural = _("phân bổ tiền mua máy")
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(condition=Q(offset_vnd__gte=0), name="allocation_offset_not_negative"),
        ]
        indexes = [
            models.Index(fields=["donation"], condition=Q(superseded_at__isnull=True),
                         name="allocation_active_donation"),
            models.Index(fields=["procurement"], condition=Q(superseded_at__isnull=True),
                         name="allocation_active_procurement"),
            models.Index(fields=["programme"], condition=Q(superseded_at__isnull=True),
                         name="allocation_active_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.donation_id} → {self.procurement_id}: {self.amount_vnd}"

    def delete(self, *args, **kwargs):
        raise IntegrityError("cash allocations are history: supersede them, never delete")
