"""Coverage summaries: one row per (programme, commune), recomputed from the registry
and the device ledger by set-based SQL (see services.py). Higher levels are sums of
commune rows, which is exact because every household, hand-out and device counted
in a row belongs to that one commune.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from phocap.accounts.scoping import ScopedQuerySet
from phocap.areas.models import AdminUnit
from phocap.common.jobs import BackgroundJob

# The figures of a summary row, in the order reports and the API show them. The API,
# the report and the dashboards all use these keys.
FIGURES = (
    "households",
    "households_poor",
    "households_near_poor",
    "households_policy",
    "households_other",
    "priority_households",
    "households_reached",
    "adults",
    "adults_without_phone",
    "baseline_adults",
    "target_adults",
    "phones_handed_out",
    "phones_in_stock",
    "phones_in_transit",
    *("recipients_visited", "vneid_activated", "online_service_users", "cashless_users", "phones_in_use"),
)

# Outcomes of the follow-up visits: counted over the latest visit of each recipient
# (active hand-out) visited, so each rate is that count over `recipients_visited`.
OUTCOMES = ("vneid_activated", "online_service_users", "cashless_users", "phones_in_use")


class CoverageSummaryQuerySet(ScopedQuerySet):
    unit_field = "commune"

    def within(self, unit: AdminUnit) -> "CoverageSummaryQuerySet":
        """Rows of the communes in `unit`'s subtree, through the denormalised columns
        (no join, indexed) rather than a path prefix."""
        if unit.level == AdminUnit.Level.PROVINCE:
            return self.filter(province=unit)
        if unit.level == AdminUnit.Level.DISTRICT:
            return self.filter(district=unit)
        if unit.level == AdminUnit.Level.COMMUNE:
            return self.filter(commune=unit)
        return self.filter(commune_id=unit.parent_id)


class CoverageSummary(models.Model):
    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE,
                                  related_name="coverage_rows", verbose_name=_("chương trình"))
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="coverage_rows",
                                verbose_name=_("xã"))
    # Copies of the commune's ancestors so a district or province total is one indexed SUM.
    district = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("huyện"))
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("tỉnh"))

    households = models.PositiveIntegerField(_("hộ trong danh sách"), default=0)
    households_poor = models.PositiveIntegerField(_("hộ nghèo"), default=0)
    households_near_poor = models.PositiveIntegerField(_("hộ cận nghèo"), default=0)
    households_policy = models.PositiveIntegerField(_("gia đình chính sách"), default=0)
    households_other = models.PositiveIntegerField(_("hộ khác"), default=0)
    priority_households = models.PositiveIntegerField(_("hộ ưu tiên"), default=0)
    households_reached = models.PositiveIntegerField(_("hộ đã nhận máy"), default=0)
    adults = models.PositiveIntegerField(_("người lớn"), default=0)
    adults_without_phone = models.PositiveIntegerField(_("người lớn chưa có ĐTTM"), default=0)
    baseline_adults = models.PositiveIntegerField(_("người lớn chưa có ĐTTM (ban đầu)"), default=0)
    target_adults = models.PositiveIntegerField(_("chỉ tiêu (người)"), default=0)
    phones_handed_out = models.PositiveIntegerField(_("máy đã trao"), default=0)
    phones_in_stock = models.PositiveIntegerField(_("máy tồn tại xã"), default=0)
    phones_in_transit = models.PositiveIntegerField(_("máy đang chuyển đến xã"), default=0)
    recipients_visited = models.PositiveIntegerField(_("người nhận đã được thăm lại"), default=0)
    vneid_activated = models.PositiveIntegerField(_("đã kích hoạt VNeID"), default=0)
    online_service_users = models.PositiveIntegerField(_("đã dùng dịch vụ công trực tuyến"), default=0)
    cashless_users = models.PositiveIntegerField(_("đã dùng thanh toán không dùng tiền mặt"), default=0)
    phones_in_use = models.PositiveIntegerField(_("máy đang được sử dụng"), default=0)
    computed_at = models.DateTimeField(_("tính lúc"))

    objects = CoverageSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu phổ cập theo xã")
        verbose_name_plural = _("số liệu phổ cập theo xã")
        ordering = ["programme", "commune__path"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "commune"], name="coverage_one_row_per_commune"),
            # The category columns partition the registry: priority = poor + near-poor + policy,
            # and every household is either a priority household or "other".
            models.CheckConstraint(
                condition=Q(priority_households=F("households_poor") + F("households_near_poor")
                            + F("households_policy")),
                name="coverage_priority_is_sum_of_categories",
            ),
            models.CheckConstraint(
                condition=Q(households=F("priority_households") + F("households_other")),
                name="coverage_households_partitioned",
            ),
            # A reached household received at least one phone.
            models.CheckConstraint(condition=Q(households_reached__lte=F("phones_handed_out")),
                                   name="coverage_reached_le_handed_out"),
            models.CheckConstraint(condition=Q(adults_without_phone__lte=F("adults")),
                                   name="coverage_without_phone_le_adults"),
            # One latest visit per active hand-out; each outcome is counted among them.
            models.CheckConstraint(condition=Q(recipients_visited__lte=F("phones_handed_out")),
                                   name="coverage_visited_le_handed_out"),
            *(models.CheckConstraint(condition=Q(**{f"{o}__lte": F("recipients_visited")}),
                                     name=f"coverage_{o}_le_visited") for o in OUTCOMES),
        ]
        indexes = [
            models.Index(fields=["programme", "province"], name="coverage_prog_province"),
            models.Index(fields=["programme", "district"], name="coverage_prog_district"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} — {self.commune_id}"

    @property
    def coverage(self) -> float | None:
        return coverage_ratio(self.phones_handed_out, self.target_adults)

    @property
    def rates(self) -> dict:
        return outcome_rates({f: getattr(self, f) for f in FIGURES})


def outcome_rates(values: dict) -> dict:
    """{"visit_rate": visited / handed out, "<outcome>_rate": outcome / visited}; None when
    the denominator is 0."""
    visited = values["recipients_visited"]
    rates = {"visit_rate": coverage_ratio(visited, values["phones_handed_out"])}
    rates.update({f"{o}_rate": coverage_ratio(values[o], visited) for o in OUTCOMES})
    return rates


def coverage_ratio(handed_out: int, target: int) -> float | None:
    """Phones handed out toward the target (adults to equip); None without a target."""
    return handed_out / target if target else None


class CoverageMonth(models.Model):
    """Hand-outs per commune and month, rebuilt with the commune's summary row: the
    "hand-outs over time" chart sums a few rows per commune instead of the ledger."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("tháng"))  # first day of the month
    handouts = models.PositiveIntegerField(_("máy đã trao"), default=0)

    objects = CoverageSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("máy đã trao theo tháng")
        verbose_name_plural = _("máy đã trao theo tháng")
        constraints = [
            models.UniqueConstraint(fields=["programme", "commune", "month"], name="coverage_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="coverage_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["programme", "province", "month"], name="coverage_month_prov"),
            models.Index(fields=["programme", "district", "month"], name="coverage_month_dist"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} — {self.commune_id} — {self.month:%m/%Y}"


class ReportJobQuerySet(ScopedQuerySet):
    unit_field = "unit"

    def for_user(self, user, *, roles=None):
        """Jobs of the units the user covers, and the user's own (a legacy programme's report
        under a 2025 unit is asked by the old province's staff, who do not cover that unit)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(pk__in=super().for_user(user, roles=roles).values("pk")) | self.filter(
            requested_by=user)


class ReportJob(BackgroundJob):
    """An .xlsx coverage report built by a Celery task; downloadable when done
    (phocap.common.jobs: status, progress, lease, recovery)."""

    UPLOAD_TO = "coverage/reports/"
    BUILD_TASK = "programme_coverage.tasks.report_job_build_task"
    STOPPED_MESSAGE = _("Báo cáo bị dừng giữa chừng %(n)d lần; hãy tạo lại.")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("chương trình"))
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("người yêu cầu"))

    objects = ReportJobQuerySet.as_manager()

    class Meta(BackgroundJob.Meta):
        verbose_name = _("báo cáo phổ cập")
        verbose_name_plural = _("báo cáo phổ cập")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.unit_id} #{self.pk}"

