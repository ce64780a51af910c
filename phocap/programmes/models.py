from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from phocap.areas.models import AdminUnit
from phocap.common.limits import MAX_PHONE_PRICE_VND
from phocap.common.transitions import StatusTransitionsMixin

DEFAULT_PHONE_PRICE_VND = 2_000_000
ADULT_AGE = 18
# Household categories (beneficiaries.models.Category values; phocap cannot import it).
# A programme's default: every category qualifies; the province narrows it.
ALL_CATEGORIES = ["poor", "near_poor", "policy", "social_protection", "other"]


def all_categories() -> list[str]:
    return list(ALL_CATEGORIES)


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


class Programme(StatusTransitionsMixin, models.Model):
    """A province's smartphone universalisation programme (chương trình phổ cập ĐTTM)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        ACTIVE = "active", _("Đang triển khai")
        CLOSED = "closed", _("Đã kết thúc")

    # A closed programme may be reopened (a recorded change with a reason), never drafted again.
    ALLOWED_TRANSITIONS = {
        Status.DRAFT: {Status.ACTIVE, Status.CLOSED},
        Status.ACTIVE: {Status.CLOSED},
        Status.CLOSED: {Status.ACTIVE},
    }

    name = models.CharField(_("tên chương trình"), max_length=255)
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="programmes",
                                 limit_choices_to={"level": AdminUnit.Level.PROVINCE}, verbose_name=_("tỉnh"))
    scheme = models.CharField(_("hệ thống đơn vị"), max_length=6, choices=AdminUnit.Scheme.choices)
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    default_phone_price_vnd = models.BigIntegerField(_("đơn giá điện thoại (₫)"), default=DEFAULT_PHONE_PRICE_VND)
    # Eligibility, declared per programme (beneficiaries.eligibility applies it).
    # One phone per household, or one per adult without a smartphone.
    one_phone_per_adult = models.BooleanField(_("mỗi người lớn chưa có ĐTTM một máy"), default=False)
    eligible_categories = models.JSONField(_("diện được nhận"), default=all_categories)
    min_age = models.PositiveSmallIntegerField(_("tuổi tối thiểu của người nhận"), default=ADULT_AGE)
    description = models.TextField(_("mô tả"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=6, choices=Status.choices, default=Status.ACTIVE)
    # Kept for readers that filter on it; always equal to status == active.
    is_active = models.GeneratedField(expression=models.Case(models.When(status="active", then=True),
                                                             default=False),
                                      output_field=models.BooleanField(), db_persist=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["is_active", "created_at"])
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
            models.CheckConstraint(condition=Q(status__in=["draft", "active", "closed"]),
                                   name="programme_status_valid"),
            models.CheckConstraint(condition=Q(min_age__gte=ADULT_AGE), name="programme_min_age_adult"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.pk])

    @property
    def baseline_total(self) -> int:
        return sum(t.baseline_adults for t in self.targets.all())

    def eligible_category_labels(self) -> list[str]:
        from .forms import CATEGORY_CHOICES

        labels = dict(CATEGORY_CHOICES)
        return [str(labels[c]) for c in self.eligible_categories if c in labels]

    def is_open_on(self, day) -> bool:
        return (self.status == self.Status.ACTIVE and day >= self.start_date
                and (self.end_date is None or day <= self.end_date))

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

    history = HistoricalRecords()

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


class TargetImportJob(StatusTransitionsMixin, models.Model):
    """An uploaded list of target communes: read by a task (the web process never parses an
    upload), shown to the officer, applied on confirmation. Status only moves forward."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Đã tải lên")
        VALIDATING = "validating", _("Đang kiểm tra")
        VALIDATED = "validated", _("Đã kiểm tra")
        FAILED = "failed", _("Không đọc được / lỗi")
        APPLIED = "applied", _("Đã cập nhật xã mục tiêu")

    # The recovery sweep (services.target_imports_recover) puts a reading whose worker died
    # back to uploaded, as for the household import.
    ALLOWED_TRANSITIONS = {
        Status.UPLOADED: {Status.VALIDATING},
        Status.VALIDATING: {Status.VALIDATED, Status.FAILED, Status.UPLOADED},
        Status.VALIDATED: {Status.APPLIED},
        Status.FAILED: set(),
        Status.APPLIED: set(),
    }

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="target_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    file = models.FileField(upload_to="imports/targets/%Y/%m/", max_length=255)
    original_name = models.CharField(_("tên file"), max_length=255)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    rows = models.JSONField(default=list, blank=True)    # [{"row", "commune_id", "commune", "code", "baseline", "target"}]
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}]
    message = models.TextField(blank=True)  # why the whole file failed
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # The reading's lease (phocap.common.jobs.claim / take_back_stale).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("lượt nhập xã mục tiêu")
        verbose_name_plural = _("lượt nhập xã mục tiêu")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["uploaded", "validating", "validated", "failed",
                                                             "applied"]),
                                   name="targetimportjob_status_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATING)

    @property
    def can_apply(self) -> bool:
        return self.status == self.Status.VALIDATED and bool(self.rows) and not self.errors
