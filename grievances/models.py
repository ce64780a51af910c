"""Grievances (phản ánh, kiến nghị): a household wrongly left out, a defective phone, a
phone given to the wrong person… recorded by a commune official or sent by a citizen from
the public page, then handled by the commune by a deadline with the outcome recorded.

The database enforces: kinds and statuses from their tables; a handled grievance has its
outcome, who handled it and when; the deadline is not before the day it was received."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from phocap.accounts.scoping import ScopedQuerySet
from phocap.areas.models import AdminUnit
from phocap.common.transitions import StatusTransitionsMixin


class GrievanceQuerySet(ScopedQuerySet):
    unit_field = "commune"  # visible to the commune and every unit above it

    def open(self):
        return self.filter(status=Grievance.Status.RECEIVED)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(deadline__lt=today or timezone.localdate())


class Grievance(StatusTransitionsMixin, models.Model):
    class Kind(models.TextChoices):
        LEFT_OUT = "left_out", _("Hộ bị bỏ sót")
        DEFECTIVE_PHONE = "defective_phone", _("Máy bị lỗi, hỏng")
        WRONG_RECIPIENT = "wrong_recipient", _("Cấp sai đối tượng")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        HANDLED = "handled", _("Đã xử lý")

    class Source(models.TextChoices):
        OFFICIAL = "official", _("Cán bộ xã ghi nhận")
        PUBLIC = "public", _("Người dân gửi trực tuyến")

    ALLOWED_TRANSITIONS = {Status.RECEIVED: {Status.HANDLED}, Status.HANDLED: set()}

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("chương trình"))
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="grievances",
                                verbose_name=_("xã"))
    kind = models.CharField(_("loại phản ánh"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("nguồn"), max_length=8, choices=Source.choices)
    description = models.TextField(_("nội dung"))
    # Personal data of the person who complains: shown only to officials covering the commune.
    reporter_name = models.CharField(_("họ tên người phản ánh"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("số điện thoại người phản ánh"), max_length=15, blank=True)
    household = models.ForeignKey("beneficiaries.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="grievances", verbose_name=_("hộ gia đình liên quan"))
    received_on = models.DateField(_("ngày tiếp nhận"))
    deadline = models.DateField(_("hạn xử lý"))
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.TextField(_("kết quả xử lý"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("người ghi nhận"))
    handled_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("người xử lý"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = GrievanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("phản ánh")
        verbose_name_plural = _("phản ánh")
        ordering = ["status", "deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["left_out", "defective_phone", "wrong_recipient", "other"]),
                                   name="grievance_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=["received", "handled"]), name="grievance_status_valid"),
            models.CheckConstraint(condition=Q(source__in=["official", "public"]), name="grievance_source_valid"),
            models.CheckConstraint(condition=Q(deadline__gte=F("received_on")), name="grievance_deadline_after_receipt"),
            models.CheckConstraint(
                condition=Q(status="received") | (~Q(outcome="") & Q(handled_at__isnull=False)),
                name="grievance_handled_has_outcome"),
            models.CheckConstraint(condition=Q(source="public") | Q(recorded_by__isnull=False),
                                   name="grievance_official_has_recorder"),
        ]
        indexes = [models.Index(fields=["commune", "status", "deadline"], name="grievance_commune_open")]

    def __str__(self) -> str:
        return f"{self.reference} — {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("grievances:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"PA-{self.pk:06d}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.RECEIVED and self.deadline < timezone.localdate()
