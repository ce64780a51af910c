"""Devices by IMEI, their append-only ledger, batches down the tree and hand-outs.

The device row is a projection of its ledger (`DeviceMovement`): services write both in
one transaction, and `reconcile_devices` recomputes the projection from the ledger.
The database enforces the invariants (see docs/distribution.md):
- an IMEI is 15 digits (and, on PostgreSQL, passes the Luhn check) and exists once;
- a device is in exactly one place: at one unit (in stock, missing, written off, or handed
  out from that commune) or in one dispatched batch (CheckConstraint);
- one open batch line per device, one active hand-out per device, one active hand-out
  per person (conditional UniqueConstraints);
- the ledger is append-only (the model refuses updates/deletes; a trigger on PostgreSQL).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from phocap.accounts.scoping import ScopedQuerySet
from phocap.areas.models import AdminUnit
from phocap.common.transitions import StatusTransitionsMixin
from phocap.programmes.models import Programme

# Statuses in which a device sits at a unit (holder_unit set, no batch).
_AT_UNIT = ["in_stock", "handed_out", "missing", "written_off"]


class DeviceQuerySet(ScopedQuerySet):
    # Devices at a unit the user covers, or in transit to one.
    unit_field = ("holder_unit", "batch__to_unit")

    def in_stock_at(self, unit: AdminUnit):
        return self.filter(status=Device.Status.IN_STOCK, holder_unit=unit)

    def usable(self):
        return self.exclude(condition=Device.Condition.DAMAGED)


class Device(models.Model):
    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("Trong kho")
        IN_TRANSIT = "in_transit", _("Đang bàn giao")
        HANDED_OUT = "handed_out", _("Đã cấp phát")
        MISSING = "missing", _("Thất lạc")
        WRITTEN_OFF = "written_off", _("Đã xóa sổ")

    class Condition(models.TextChoices):
        NEW = "new", _("Mới")
        USED = "used", _("Đã qua sử dụng")
        DAMAGED = "damaged", _("Hỏng")

    imei = models.CharField("IMEI", max_length=15, unique=True)
    # Indexes: the composite ones in Meta cover programme and holder_unit; fewer indexes
    # make the 5,000-row UPDATE of a dispatch cheaper.
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="devices",
                                  verbose_name=_("chương trình"), db_index=False)
    model = models.CharField(_("loại máy"), max_length=120, blank=True)
    condition = models.CharField(_("tình trạng"), max_length=8, choices=Condition.choices,
                                 default=Condition.NEW)
    source_donation = models.ForeignKey("donations.Donation", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="devices", verbose_name=_("khoản ủng hộ hiện vật"))
    source_procurement = models.ForeignKey("donations.Procurement", on_delete=models.PROTECT, null=True,
                                           blank=True, related_name="devices", verbose_name=_("đợt mua sắm"))
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.IN_STOCK)
    # Where it is: the unit holding it (in stock, missing, written off, or the commune that
    # handed it out) — or, in transit, the dispatched batch carrying it. Never both.
    holder_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="devices", verbose_name=_("đơn vị giữ máy"), db_index=False)
    batch = models.ForeignKey("Batch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="devices", verbose_name=_("đợt bàn giao"))
    # A default, not auto_now: paper minutes are often entered days later, with their real date.
    registered_at = models.DateTimeField(_("ngày nhập"), default=timezone.now)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="+", db_index=False)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("điện thoại")
        verbose_name_plural = _("điện thoại")
        ordering = ["registered_at", "pk"]
        constraints = [
            # Portable part of the IMEI rule; the Luhn digit is checked by a PostgreSQL
            # function (migration 0002) and by python-stdnum in the services.
            models.CheckConstraint(condition=Q(imei__regex=r"^[0-9]{15}$"), name="device_imei_15_digits"),
            models.CheckConstraint(
                condition=(Q(source_donation__isnull=False, source_procurement__isnull=True)
                           | Q(source_donation__isnull=True, source_procurement__isnull=False)),
                name="device_exactly_one_source"),
            models.CheckConstraint(
                condition=(Q(status__in=_AT_UNIT, holder_unit__isnull=False, batch__isnull=True)
                           | Q(status="in_transit", holder_unit__isnull=True, batch__isnull=False)),
                name="device_in_exactly_one_place"),
            models.CheckConstraint(condition=Q(condition__in=["new", "used", "damaged"]),
                                   name="device_condition_valid"),
        ]
        indexes = [
            models.Index(fields=["holder_unit", "status"], name="device_holder_status"),
            models.Index(fields=["programme", "status"], name="device_programme_status"),
        ]

    def __str__(self) -> str:
        return self.imei

    def get_absolute_url(self) -> str:
        return reverse("distribution:device_detail", args=[self.imei])

    @property
    def source(self):
        return self.source_donation or self.source_procurement


class BatchQuerySet(ScopedQuerySet):
    # A batch always goes to a child of its sender, so whoever covers the receiver
    # covers the sender's outgoing batches too.
    unit_field = "to_unit"


class Batch(StatusTransitionsMixin, models.Model):
    """A numbered handover (đợt bàn giao) of devices from a unit to one of its children."""

    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("Đang bàn giao")
        RECEIVED = "received", _("Đã nhận")
        CANCELLED = "cancelled", _("Đã hủy")

    ALLOWED_TRANSITIONS = {
        Status.DISPATCHED: {Status.RECEIVED, Status.CANCELLED},
        Status.RECEIVED: set(),
        Status.CANCELLED: set(),
    }

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="batches",
                                  verbose_name=_("chương trình"))
    number = models.PositiveSmallIntegerField(_("đợt số"))
    from_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="batches_out",
                                  verbose_name=_("đơn vị giao"))
    to_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="batches_in",
                                verbose_name=_("đơn vị nhận"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DISPATCHED)
    partial = models.BooleanField(_("nhận thiếu"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+")
    dispatched_at = models.DateTimeField(_("ngày giao"), null=True, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="+")
    received_at = models.DateTimeField(_("ngày nhận"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    cancelled_at = models.DateTimeField(_("ngày hủy"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    cancel_reason = models.TextField(_("lý do hủy"), blank=True)
    signed_scan = models.FileField(_("biên bản đã ký (bản chụp)"), upload_to="distribution/batches/%Y/%m/",
                                   blank=True)

    # Who changed the batch and how (its devices' moves are in the ledger).
    history = HistoricalRecords()
    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt bàn giao")
        verbose_name_plural = _("đợt bàn giao")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_unit=models.F("to_unit")), name="batch_units_differ"),
            models.CheckConstraint(condition=Q(number__gte=1), name="batch_number_positive"),
            models.CheckConstraint(condition=Q(status__in=["dispatched", "received", "cancelled"]),
                                   name="batch_status_valid"),
            models.CheckConstraint(condition=Q(status="cancelled") | Q(dispatched_at__isnull=False),
                                   name="batch_dispatched_has_date"),
            models.CheckConstraint(condition=~Q(status="received") | Q(received_at__isnull=False),
                                   name="batch_received_has_date"),
            models.CheckConstraint(condition=Q(partial=False) | Q(status="received"),
                                   name="batch_partial_only_when_received"),
            # "Đợt 1" to a given unit exists once (a cancelled batch frees its number).
            models.UniqueConstraint(fields=["programme", "from_unit", "to_unit", "number"],
                                    condition=~Q(status="cancelled"), name="batch_number_unique"),
        ]

    def __str__(self) -> str:
        return _("Đợt %(no)s: %(from)s → %(to)s") % {"no": self.number, "from": self.from_unit,
                                                     "to": self.to_unit}

    def get_absolute_url(self) -> str:
        return reverse("distribution:batch_detail", args=[self.pk])

    @property
    def document_number(self) -> str:
        return f"{self.pk:05d}/BBBG-ĐTTM"


class BatchLine(models.Model):
    """One device in one batch, with what the receiver found."""

    class Outcome(models.TextChoices):
        IN_TRANSIT = "in_transit", _("Đang bàn giao")
        RECEIVED = "received", _("Đã nhận")
        DAMAGED = "damaged", _("Nhận, bị hỏng")
        MISSING = "missing", _("Thiếu")
        CANCELLED = "cancelled", _("Đã hủy")

    class Resolution(models.TextChoices):
        FOUND = "found", _("Đã tìm thấy")
        RETURNED = "returned", _("Đã trả lại đơn vị giao")
        WRITTEN_OFF = "written_off", _("Đã xóa sổ")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines",
                              db_index=False)  # the unique (batch, device) index serves it
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="batch_lines")
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices,
                               default=Outcome.IN_TRANSIT)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    resolution = models.CharField(_("xử lý"), max_length=12, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dòng đợt bàn giao")
        verbose_name_plural = _("dòng đợt bàn giao")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "device"], name="batchline_device_once_per_batch"),
            # A device travels in at most one batch at a time.
            models.UniqueConstraint(fields=["device"], condition=Q(outcome="in_transit"),
                                    name="batchline_one_open_per_device"),
            models.CheckConstraint(condition=~Q(outcome__in=["missing", "damaged"]) | ~Q(reason=""),
                                   name="batchline_problem_has_reason"),
            models.CheckConstraint(condition=Q(resolution="") | Q(outcome="missing"),
                                   name="batchline_only_missing_is_resolved"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.device_id} ({self.outcome})"


class HandoutQuerySet(ScopedQuerySet):
    unit_field = "commune"

    def active(self):
        return self.filter(status=Handout.Status.ACTIVE)


class Handout(StatusTransitionsMixin, models.Model):
    """A phone given to a person of a household (cấp phát), with its handover minutes."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đã cấp")
        REVERSED = "reversed", _("Đã thu hồi")

    ALLOWED_TRANSITIONS = {Status.ACTIVE: {Status.REVERSED}, Status.REVERSED: set()}

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="handouts",
                                  verbose_name=_("chương trình"))
    household = models.ForeignKey("beneficiaries.Household", on_delete=models.PROTECT,
                                  related_name="handouts", verbose_name=_("hộ gia đình"))
    person = models.ForeignKey("beneficiaries.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="handouts", verbose_name=_("người nhận (trong hộ)"))
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="handouts",
                               verbose_name=_("điện thoại"))
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="handouts",
                                verbose_name=_("xã"))
    recipient_name = models.CharField(_("họ tên người nhận"), max_length=120)
    recipient_citizen_id = models.CharField(_("số CCCD người nhận"), max_length=12)
    handed_out_on = models.DateField(_("ngày cấp"))
    # The moment written down at the hand-out (offline sessions send it later); None for
    # hand-outs recorded with a date only.
    handed_at = models.DateTimeField(_("thời điểm cấp"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+")
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    reversal_reason = models.TextField(_("lý do thu hồi"), blank=True)
    # Outside the programme's declared eligibility: the reason and the rules broken
    # (beneficiaries.eligibility.Rule codes); empty for an ordinary hand-out.
    exception_reason = models.TextField(_("lý do cấp ngoại lệ"), blank=True)
    exception_rules = models.JSONField(_("quy định không đáp ứng"), default=list, blank=True)
    # Decree 13/2023/NĐ-CP: the recipient's consent to the processing of their personal data
    # (recorded on the hand-out form; empty for hand-outs recorded before it was asked).
    consent_at = models.DateTimeField(_("người nhận đồng ý xử lý dữ liệu cá nhân lúc"), null=True, blank=True)
    signed_scan = models.FileField(_("biên bản đã ký (bản chụp)"), upload_to="distribution/handouts/%Y/%m/",
                                   blank=True)

    history = HistoricalRecords()
    objects = HandoutQuerySet.as_manager()

    class Meta:
        verbose_name = _("cấp phát")
        verbose_name_plural = _("cấp phát")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["device"], condition=Q(status="active"),
                                    name="handout_one_active_per_device"),
            models.UniqueConstraint(fields=["programme", "person"],
                                    condition=Q(status="active", person__isnull=False),
                                    name="handout_one_active_per_person"),
            # A citizen ID typed without picking a person is one person too.
            models.UniqueConstraint(fields=["programme", "recipient_citizen_id"], condition=Q(status="active"),
                                    name="handout_one_active_per_citizen_id"),
            models.CheckConstraint(condition=Q(status__in=["active", "reversed"]), name="handout_status_valid"),
            # An exception to the eligibility rules always carries its reason.
            models.CheckConstraint(condition=Q(exception_rules=[]) | ~Q(exception_reason=""),
                                   name="handout_exception_has_reason"),
            models.CheckConstraint(condition=Q(recipient_citizen_id__regex=r"^([0-9]{9}|[0-9]{12})$"),
                                   name="handout_citizen_id_digits"),
            models.CheckConstraint(condition=Q(status="active") | Q(reversed_at__isnull=False),
                                   name="handout_reversed_has_date"),
        ]
        indexes = [
            models.Index(fields=["household", "programme", "status"], name="handout_household"),
            # The few hand-outs outside the eligibility rules, newest first (coverage
            # dashboards list them): a partial index instead of reading every hand-out.
            models.Index(fields=["programme", "-handed_out_on", "-id"], name="handout_exceptions",
                         condition=Q(status="active") & ~Q(exception_reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} — {self.device_id}"

    def get_absolute_url(self) -> str:
        return reverse("distribution:handout_detail", args=[self.pk])

    @property
    def exception_labels(self) -> list[str]:
        from beneficiaries.eligibility import RULE_LABELS

        return [str(RULE_LABELS.get(code, code)) for code in self.exception_rules or []]

    @property
    def document_number(self) -> str:
        return f"{self.pk:05d}/BBCP-ĐTTM"


class AppendOnlyError(Exception):
    pass


class DeviceMovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the device ledger is append-only")

    def delete(self):
        raise AppendOnlyError("the device ledger is append-only")


class DeviceMovement(models.Model):
    """One append-only ledger row: what happened to a device, and where it is afterwards."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Nhập kho")
        DISPATCH = "dispatch", _("Giao đi")
        RECEIPT = "receipt", _("Nhận")
        DAMAGED = "damaged", _("Nhận, bị hỏng")
        MISSING = "missing", _("Báo thiếu")
        FOUND = "found", _("Tìm thấy")
        RETURN = "return", _("Trả lại đơn vị giao")
        HANDOUT = "handout", _("Cấp phát")
        HANDOUT_RETURN = "handout_return", _("Thu hồi (trả máy)")
        WRITE_OFF = "write_off", _("Xóa sổ")
        REVERSAL = "reversal", _("Hủy đợt (đảo)")
        CARRY_OVER = "carry_over", _("Chuyển sang đơn vị hành chính mới")

    # Only (device, -id) and batch/handout are indexed: the ledger is read per device, per
    # batch or per hand-out, and every index costs on 5,000-row inserts.
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="movements", db_index=False)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("người thực hiện"), db_index=False)
    from_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("từ"), db_index=False)
    to_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("đến"), db_index=False)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="movements")
    handout = models.ForeignKey(Handout, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="movements")
    # The device's place after this movement: its status and, unless in transit, the unit
    # (to_unit). Replaying the last row of each device gives the projection back.
    status_after = models.CharField(max_length=12, choices=Device.Status.choices)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)

    objects = DeviceMovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("biến động thiết bị")
        verbose_name_plural = _("sổ biến động thiết bị")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status_after__in=[*_AT_UNIT, "in_transit"]),
                                   name="movement_status_valid"),
            models.CheckConstraint(
                condition=(Q(status_after="in_transit", batch__isnull=False)
                           | (~Q(status_after="in_transit") & Q(to_unit__isnull=False))),
                name="movement_has_destination"),
            models.CheckConstraint(condition=~Q(kind__in=["handout", "handout_return"]) | Q(handout__isnull=False),
                                   name="movement_handout_linked"),
        ]
        indexes = [models.Index(fields=["device", "-id"], name="movement_device_latest")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.kind} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the device ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the device ledger is append-only")

    # Builders used with bulk_create by the services.
    @classmethod
    def build(cls, device: Device, kind: str, *, by, status_after: str, from_unit_id=None, to_unit_id=None,
              batch=None, handout=None, reason: str = "") -> "DeviceMovement":
        return cls(device=device, kind=kind, by=by, status_after=status_after, from_unit_id=from_unit_id,
                   to_unit_id=to_unit_id, batch=batch, handout=handout, reason=reason[:255])


class CarryOver(StatusTransitionsMixin, models.Model):
    """A legacy programme carried onto the 2025 units (distribution.carryover): planned by a
    dry run (its report), run by a Celery job on confirmation, undoable until the first
    batch sent on the new units. `snapshot` holds what the run changed, for the undo."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Đã chạy thử")
        RUNNING = "running", _("Đang chuyển")
        DONE = "done", _("Đã chuyển")
        FAILED = "failed", _("Lỗi")
        UNDONE = "undone", _("Đã hoàn tác")

    ALLOWED_TRANSITIONS = {
        Status.PLANNED: {Status.RUNNING},
        Status.RUNNING: {Status.DONE, Status.FAILED},
        Status.DONE: {Status.UNDONE},
        Status.FAILED: set(),
        Status.UNDONE: set(),
    }

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="carry_overs")
    from_province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    to_province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    # {"<legacy village id>" or "c<legacy commune id>": new commune id}: the village-by-village
    # choice for split communes ("c…" for households without a village).
    choices = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = _("chuyển chương trình sang đơn vị mới")
        verbose_name_plural = _("chuyển chương trình sang đơn vị mới")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["planned", "running", "done", "failed", "undone"]),
                                   name="carryover_status_valid"),
            # One carry-over at a time per programme.
            models.UniqueConstraint(fields=["programme"], condition=Q(status__in=["running", "done"]),
                                    name="carryover_one_live_per_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} → {self.to_province}"


class IntakeJobQuerySet(ScopedQuerySet):
    unit_field = "unit"


class IntakeJob(StatusTransitionsMixin, models.Model):
    """An IMEI sheet uploaded at intake. The worker reads and checks it (the web process
    never parses an upload); the official reviews what it found and confirms; the intake
    service then registers the phones. Its status/lease fields have the same names and
    meaning as the household import's (`ImportJob`); both claim and recover through the lease
    helpers of `phocap.common.jobs`."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Đã tải lên")
        VALIDATING = "validating", _("Đang kiểm tra")
        VALIDATED = "validated", _("Đã kiểm tra")
        FAILED = "failed", _("Không đọc được / lỗi")
        REGISTERED = "registered", _("Đã nhập kho")

    # A task claims a phase with a conditional UPDATE; the recovery sweep
    # (services.intake_jobs_recover) puts a validation whose worker died back to uploaded.
    ALLOWED_TRANSITIONS = {
        Status.UPLOADED: {Status.VALIDATING},
        Status.VALIDATING: {Status.VALIDATED, Status.FAILED, Status.UPLOADED},
        Status.VALIDATED: {Status.REGISTERED},
        Status.FAILED: set(),
        Status.REGISTERED: set(),
    }

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("chương trình"))
    # The unit that received the source: the phones go into its stock.
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    source_donation = models.ForeignKey("donations.Donation", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("khoản ủng hộ hiện vật"))
    source_procurement = models.ForeignKey("donations.Procurement", on_delete=models.PROTECT, null=True,
                                           blank=True, related_name="+", verbose_name=_("đợt mua sắm"))
    model = models.CharField(_("loại máy"), max_length=120, blank=True)
    condition = models.CharField(_("tình trạng"), max_length=10, default="new")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("người tải lên"))
    file = models.FileField(_("file"), upload_to="imports/imeis/%Y/%m/", max_length=255)
    original_name = models.CharField(_("tên file"), max_length=255)
    file_hash = models.CharField(_("mã băm SHA-256"), max_length=64)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)  # non-empty cells of the IMEI column
    imeis = models.JSONField(default=list, blank=True)  # the valid IMEIs, in sheet order
    duplicate_count = models.PositiveIntegerField(default=0)  # repeated inside the sheet
    registered_before = models.JSONField(default=list, blank=True)  # already in the registry (first ones)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "kind", "code", "params"}], the first ones
    error_total = models.PositiveIntegerField(default=0)
    # Every problem as JSON, written by the worker; the download words it as CSV.
    error_file = models.FileField(upload_to="imports/imeis/errors/%Y/%m/", max_length=255, blank=True)
    message = models.TextField(blank=True)  # why the whole file failed, as a stored message (code + params)
    failure_code = models.CharField(max_length=40, blank=True)  # and its code (file_encrypted, ...)
    registered_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)  # lease of the running phase
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = IntakeJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt nhập IMEI từ file")
        verbose_name_plural = _("lượt nhập IMEI từ file")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["uploaded", "validating", "validated", "failed",
                                                           "registered"]), name="intakejob_status_valid"),
            models.CheckConstraint(condition=Q(source_donation__isnull=True, source_procurement__isnull=False)
                                   | Q(source_donation__isnull=False, source_procurement__isnull=True),
                                   name="intakejob_one_source"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("distribution:intake_job", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATING)

    @property
    def source(self):
        return self.source_donation or self.source_procurement

    @property
    def message_text(self) -> str:
        """The stored message in the reader's language."""
        from phocap.common.messages import text

        return text(self.message)

    @property
    def error_texts(self) -> list[str]:
        from phocap.common.messages import error_text

        return [error_text(e) for e in self.errors]
