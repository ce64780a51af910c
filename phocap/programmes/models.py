from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phocap.areas.models import AdminUnit
from phocap.common.limits import MAX_PHONE_PRICE_VND

DEFAULT_PHONE_PRICE_VND = 2_000_000


class ProgrammeQuerySet(models.QuerySet):
    def for_user(self, user):
        """Programmes of the provinces the user works in (any role, auditors included)."""
        from phocap.accounts.scoping import province_paths

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        paths = province_paths(user)
        return self.filter(province__path__in=paths) if paths else self.none()


class Programme(models.Model):
    """A province's smartphone universalisation programme (chương trình phổ cập ĐTTM)."""

    name = models.CharField(_("tên chương trình"), max_length=255)
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="programmes",
                                 limit_choices_to={"level": AdminUnit.Level.PROVINCE}, verbose_name=_("tỉnh"))
    scheme = models.CharField(_("hệ thống đơn vị"), max_length=6, choices=AdminUnit.Scheme.choices)
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    default_phone_price_vnd = models.BigIntegerField(_("đơn giá điện thoại (₫)"), default=DEFAULT_PHONE_PRICE_VND)
    # A programme may allow one phone per adult without a smartphone instead of one per household.
    one_phone_per_adult = models.BooleanField(_("mỗi người lớn một máy"), default=False)
    description = models.TextField(_("mô tả"), blank=True)
    is_active = models.BooleanField(_("đang triển khai"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(default_phone_price_vnd__gt=0), name="programme_price_positive"),
            models.CheckConstraint(condition=Q(default_phone_price_vnd__lte=MAX_PHONE_PRICE_VND),
                                   name="programme_price_bounded"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="programme_dates_ordered"),
            models.UniqueConstraint(fields=["province", "name"], name="programme_name_unique_in_province"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.pk])

    @property
    def baseline_total(self) -> int:
        return sum(t.baseline_adults for t in self.targets.all())

    def plans_text(self) -> str:
        return "; ".join(str(p) for p in self.plans.all())


class ProgrammePlan(models.Model):
    """A legal document the programme rests on, e.g. Kế hoạch 506/KH-UBND ngày 28/7/2023."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="plans")
    number = models.CharField(_("số hiệu"), max_length=50)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    title = models.CharField(_("trích yếu"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("kế hoạch, văn bản")
        verbose_name_plural = _("kế hoạch, văn bản")
        ordering = ["issued_on", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="plan_number_unique")]

    def __str__(self) -> str:
        from phocap.common.formatting import format_date

        if self.issued_on:
            text = _("Kế hoạch số %(no)s ngày %(date)s") % {"no": self.number, "date": format_date(self.issued_on)}
        else:
            text = _("Kế hoạch số %(no)s") % {"no": self.number}
        return f"{text} {self.title}" if self.title else text


class ProgrammeCommune(models.Model):
    """A target commune with its baseline: adults without a smartphone at the start."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="programme_targets",
                                limit_choices_to={"level": AdminUnit.Level.COMMUNE}, verbose_name=_("xã"))
    baseline_adults = models.PositiveIntegerField(_("người lớn chưa có ĐTTM (ban đầu)"), default=0)
    target_adults = models.PositiveIntegerField(_("chỉ tiêu (người)"), null=True, blank=True)

    class Meta:
        verbose_name = _("xã mục tiêu")
        verbose_name_plural = _("xã mục tiêu")
        ordering = ["commune__path"]
        constraints = [models.UniqueConstraint(fields=["programme", "commune"], name="programme_commune_unique")]

    def __str__(self) -> str:
        return f"{self.programme} — {self.commune}"

    @property
    def target(self) -> int:
        return self.target_adults if self.target_adults is not None else self.baseline_adults
