"""Follow-up visits (thăm lại): after the hand-out, the community digital technology team
(tổ công nghệ số cộng đồng) visits each recipient and records what the phone is used for.

Invariants the database enforces:
- one visit per hand-out is its latest (`is_latest`, partial UniqueConstraint): coverage
  counts outcomes from the latest visits only, set-based, without a window function;
- a cashless account used is an open one; the VNeID level is 0, 1 or 2; the phone's state
  is from its table.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from phocap.accounts.scoping import ScopedQuerySet
from phocap.areas.models import AdminUnit


class VisitQuerySet(ScopedQuerySet):
    # A village team sees its village's visits; a commune member (or above) the commune's.
    unit_field = ("village", "commune")


class Visit(models.Model):
    class Vneid(models.IntegerChoices):
        NONE = 0, _("Chưa kích hoạt")
        LEVEL_1 = 1, _("Mức 1")
        LEVEL_2 = 2, _("Mức 2")

    class PhoneStatus(models.TextChoices):
        IN_USE = "in_use", _("Đang sử dụng")
        BROKEN = "broken", _("Hỏng")
        LOST = "lost", _("Mất")
        SOLD = "sold", _("Đã bán")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("chương trình"))
    handout = models.ForeignKey("distribution.Handout", on_delete=models.PROTECT, related_name="visits",
                                verbose_name=_("cấp phát"))
    household = models.ForeignKey("beneficiaries.Household", on_delete=models.PROTECT,
                                  related_name="followup_visits", verbose_name=_("hộ gia đình"))
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã"))
    village = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("thôn/bản"))
    visited_on = models.DateField(_("ngày thăm"))
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("người thăm"))
    vneid_level = models.PositiveSmallIntegerField(_("tài khoản VNeID"), choices=Vneid.choices, default=Vneid.NONE)
    online_service_used = models.BooleanField(_("đã dùng dịch vụ công trực tuyến"), default=False)
    cashless_account_open = models.BooleanField(_("đã mở tài khoản thanh toán không dùng tiền mặt"), default=False)
    cashless_used = models.BooleanField(_("đã dùng thanh toán không dùng tiền mặt"), default=False)
    phone_status = models.CharField(_("tình trạng máy"), max_length=8, choices=PhoneStatus.choices,
                                    default=PhoneStatus.IN_USE)
    note = models.TextField(_("ghi chú"), blank=True)
    is_latest = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần thăm lại")
        verbose_name_plural = _("lần thăm lại")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["handout"], condition=Q(is_latest=True), name="visit_one_latest"),
            models.CheckConstraint(condition=Q(cashless_used=False) | Q(cashless_account_open=True),
                                   name="visit_cashless_used_needs_account"),
            models.CheckConstraint(condition=Q(vneid_level__in=[0, 1, 2]), name="visit_vneid_level_valid"),
            models.CheckConstraint(condition=Q(phone_status__in=["in_use", "broken", "lost", "sold"]),
                                   name="visit_phone_status_valid"),
        ]
        indexes = [
            # The coverage rebuild reads latest visits per commune.
            models.Index(fields=["commune", "programme"], condition=Q(is_latest=True), name="visit_latest_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.handout_id} — {self.visited_on:%d/%m/%Y}"
