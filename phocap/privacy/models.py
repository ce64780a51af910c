"""Personal data under Decree 13/2023/NĐ-CP: who saw a full citizen ID, and how long a
programme keeps its recipients' personal data."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CitizenIdAccess(models.Model):
    """One full citizen ID shown to one user: `subject` names the record ("household:12",
    "person:40", "handout:7"); the number itself is not copied here."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("người xem"))
    subject = models.CharField(_("bản ghi"), max_length=40)
    where = models.CharField(_("trang"), max_length=200)
    at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("lượt xem số CCCD")
        verbose_name_plural = _("nhật ký xem số CCCD")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject", "at"], name="idaccess_subject")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.subject} {self.at:%d/%m/%Y %H:%M}"


class ProgrammeRetention(models.Model):
    """How long after the programme ends its recipients' personal data is kept; then the
    nightly task anonymises it (figures and the device ledger stay)."""

    programme = models.OneToOneField("programmes.Programme", on_delete=models.CASCADE, related_name="retention",
                                     verbose_name=_("chương trình"))
    retain_months = models.PositiveSmallIntegerField(_("thời hạn lưu trữ sau khi kết thúc (tháng)"), default=24)
    anonymised_at = models.DateTimeField(_("đã ẩn danh lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thời hạn lưu trữ dữ liệu cá nhân")
        verbose_name_plural = _("thời hạn lưu trữ dữ liệu cá nhân")
        constraints = [models.CheckConstraint(condition=Q(retain_months__gte=1), name="retention_at_least_a_month")]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.retain_months}"
