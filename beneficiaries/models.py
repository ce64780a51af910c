"""The eligibility registry: households of a commune, their categories and people,
and the import jobs that bring them in from commune officials' Excel files.

Invariants the database enforces (not only Python):
- a household code is unique within its commune when given (partial UniqueConstraint);
- a citizen ID belongs to at most one active person (partial UniqueConstraint);
- a household has at most one active head; adults ≤ members, adults without a
  smartphone ≤ adults; priority rank is 1..4; statuses are from their tables;
- a household's categories are an object of known categories → year or null
  (CHECK added on PostgreSQL by migration 0003; SQLite relies on the services);
- an import job's status only moves forward (ALLOWED_TRANSITIONS, conditional UPDATE).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from phocap.accounts.scoping import ScopedQuerySet
from phocap.areas.models import AdminUnit
from phocap.common.transitions import StatusTransitionsMixin


class Category(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    POLICY = "policy", _("Gia đình chính sách")
    SOCIAL_PROTECTION = "social_protection", _("Bảo trợ xã hội")
    OTHER = "other", _("Khác")


# Contract: 1 poor, 2 near-poor, 3 policy family, 4 other (social protection ranks as other).
CATEGORY_RANK = {
    Category.POOR: 1, Category.NEAR_POOR: 2, Category.POLICY: 3,
    Category.SOCIAL_PROTECTION: 4, Category.OTHER: 4,
}

# The priority groups' names, by rank (social protection ranks with "other").
RANK_LABELS = {1: Category.POOR.label, 2: Category.NEAR_POOR.label, 3: Category.POLICY.label,
               4: Category.OTHER.label}


def priority_rank_for(categories) -> int:
    return min((CATEGORY_RANK[c] for c in categories), default=4)


def category_list(categories: dict) -> list[tuple[str, str, int | None]]:
    """(code, label, year) of a household's categories, most urgent first."""
    return [(c, Category(c).label, categories[c])
            for c in sorted(categories, key=lambda c: (CATEGORY_RANK.get(c, 9), c)) if c in Category.values]


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class IdKind(models.TextChoices):
    CCCD = "cccd", _("CCCD (12 số)")
    CMND = "cmnd", _("CMND (9 số)")


class ImportJobQuerySet(ScopedQuerySet):
    unit_field = "commune"


class ImportJob(StatusTransitionsMixin, models.Model):
    """One uploaded file and its two phases: validate (no writes) then merge."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Đã tải lên")
        VALIDATING = "validating", _("Đang kiểm tra")
        VALIDATED = "validated", _("Đã kiểm tra")
        FAILED = "failed", _("Không đọc được / lỗi")
        MERGING = "merging", _("Đang nhập")
        MERGED = "merged", _("Đã nhập")

    # Forward only; a task claims a job by moving it from one status to the next in
    # a conditional UPDATE, so a second delivery of the same task does nothing.
    # The recovery sweep (services.import_jobs_recover) puts a phase whose worker died back
    # one step: validating → uploaded, merging → validated (a merge is one transaction).
    ALLOWED_TRANSITIONS = {
        Status.UPLOADED: {Status.VALIDATING},
        Status.VALIDATING: {Status.VALIDATED, Status.FAILED, Status.UPLOADED},
        Status.VALIDATED: {Status.MERGING},
        Status.MERGING: {Status.MERGED, Status.FAILED, Status.VALIDATED},
        Status.FAILED: set(),
        Status.MERGED: set(),
    }

    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="household_imports",
                                verbose_name=_("xã"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("người tải lên"))
    file = models.FileField(_("file"), upload_to="imports/households/%Y/%m/", max_length=255)
    original_name = models.CharField(_("tên file"), max_length=255)
    file_hash = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    staging_path = models.CharField(max_length=255, blank=True, editable=False)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices,
                              default=Status.UPLOADED)
    skip_invalid = models.BooleanField(_("chỉ nhập các dòng hợp lệ"), default=False)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("hộ mới"), default=0)
    updated_count = models.PositiveIntegerField(_("hộ cập nhật"), default=0)
    unchanged_count = models.PositiveIntegerField(_("hộ không đổi"), default=0)
    invalid_count = models.PositiveIntegerField(_("dòng lỗi"), default=0)
    new_villages = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}]
    message = models.TextField(blank=True)  # why the whole file failed
    # Stored at validation so pages never re-read the upload or the staging file.
    header_row = models.PositiveIntegerField(null=True, blank=True)  # of the first sheet read
    error_total = models.PositiveIntegerField(default=0)  # every problem (errors keeps the first ones)
    # The upload annotated with its problems, written by the worker after validation.
    error_file = models.FileField(upload_to="imports/households/errors/%Y/%m/", max_length=255, blank=True)
    # [{"name", "read": bool, "reason", "rows"}]: what each sheet of the workbook gave.
    sheets = models.JSONField(default=list, blank=True)
    # {"tcvn3": cells, "vni": cells, "rows": rows touched, "samples": [[before, after], ...]}
    conversions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Lease of the running phase: set when a task claims it, renewed by its progress.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt nhập hộ gia đình")
        verbose_name_plural = _("lượt nhập hộ gia đình")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["uploaded", "validating", "validated", "failed",
                                                                 "merging", "merged"]),
                                   name="importjob_status_valid"),
            models.CheckConstraint(condition=Q(done_rows__lte=models.F("total_rows")),
                                   name="importjob_progress_le_total"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"


    @property
    def progress_percent(self) -> int:
        if self.status in (self.Status.VALIDATED, self.Status.MERGED):
            return 100
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATING, self.Status.MERGING)

    @property
    def can_merge(self) -> bool:
        if self.status != self.Status.VALIDATED:
            return False
        return self.invalid_count == 0 or (self.created_count + self.updated_count) > 0


class HouseholdQuerySet(ScopedQuerySet):
    unit_field = "commune"

    def active(self):
        return self.filter(status=Household.Status.ACTIVE)


class Household(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang ở")
        MOVED = "moved", _("Đã chuyển đi")
        DISSOLVED = "dissolved", _("Đã giải thể")

    # Indexed by household_commune_headid (commune first): no separate FK index.
    commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="households",
                                verbose_name=_("xã"), db_index=False)
    village = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="village_households", verbose_name=_("thôn/bản"))
    code = models.CharField(_("mã hộ"), max_length=40, blank=True, default="")
    head_name = models.CharField(_("họ tên chủ hộ"), max_length=120)
    # Searched with "contains" (no b-tree helps), always within a commune.
    head_name_ascii = models.CharField(max_length=120, editable=False, default="")
    head_citizen_id = models.CharField(_("số CCCD/CMND chủ hộ"), max_length=12, null=True, blank=True)
    head_birth_year = models.PositiveSmallIntegerField(_("năm sinh chủ hộ"), null=True, blank=True)
    head_sex = models.CharField(_("giới tính chủ hộ"), max_length=6, choices=Sex.choices, blank=True,
                                default="")
    head_ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True, default="")
    members = models.PositiveSmallIntegerField(_("số nhân khẩu"), default=1)
    adults = models.PositiveSmallIntegerField(_("số người trưởng thành"), default=1)
    adults_without_phone = models.PositiveSmallIntegerField(_("số người lớn chưa có ĐTTM"), default=0)
    phone = models.CharField(_("điện thoại"), max_length=15, blank=True, default="")
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True, default="")
    status = models.CharField(_("tình trạng"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    notes = models.TextField(_("ghi chú"), blank=True, default="")
    # {category: year recognised or null}, several allowed. A column, not a table: the
    # import writes 100k households without 100k more rows, FK checks and indexes, and
    # category changes land in the household's history with everything else.
    categories = models.JSONField(_("diện"), default=dict, blank=True)
    priority_rank = models.PositiveSmallIntegerField(_("thứ tự ưu tiên"), default=4)
    # No database FK: its deferred check per imported row costs ~1 s per 100k rows at
    # commit, and import jobs are never deleted (the admin refuses it).
    import_job = models.ForeignKey(ImportJob, on_delete=models.DO_NOTHING, null=True, blank=True,
                                   related_name="households", verbose_name=_("lượt nhập"),
                                   db_index=False, db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # History is read per household (indexed id) and by date; FK indexes would only slow
    # the import's INSERT ... SELECT.
    history = HistoricalRecords(excluded_fields=["head_name_ascii"],
                                no_db_index=["commune", "village", "import_job", "code", "history_user"],
                                user_db_constraint=False)
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["priority_rank", "head_name_ascii", "pk"]
        constraints = [
            # Forms show these messages (in the user's language) instead of the constraint's name.
            models.UniqueConstraint(fields=["commune", "code"], condition=~Q(code=""),
                                    name="household_code_unique_in_commune",
                                    violation_error_message=_("Mã hộ này đã có trong xã.")),
            models.CheckConstraint(condition=Q(adults__lte=models.F("members")),
                                   name="household_adults_le_members",
                                   violation_error_message=_("Số người trưởng thành không được lớn hơn số nhân khẩu.")),
            models.CheckConstraint(condition=Q(adults_without_phone__lte=models.F("adults")),
                                   name="household_awp_le_adults",
                                   violation_error_message=_(
                                       "Số người chưa có điện thoại thông minh không được lớn hơn số người trưởng thành.")),
            models.CheckConstraint(condition=Q(priority_rank__gte=1, priority_rank__lte=4),
                                   name="household_priority_rank_1_4",
                                   violation_error_message=_("Thứ tự ưu tiên phải từ 1 đến 4.")),
            models.CheckConstraint(condition=Q(status__in=["active", "moved", "dissolved"]),
                                   name="household_status_valid"),
            models.CheckConstraint(condition=~Q(code="") | Q(head_citizen_id__isnull=False),
                                   name="household_code_or_head_id",
                                   violation_error_message=_("Hộ cần có mã hộ hoặc số CCCD của chủ hộ.")),
        ]
        indexes = [
            models.Index(fields=["commune", "head_citizen_id"], name="household_commune_headid"),
            # The registry list and API page through a commune in this order (selectors.REGISTRY_ORDER).
            models.Index(fields=["commune", "priority_rank", "head_name_ascii", "id"], name="household_commune_order"),
            # The priority list pages through a commune's active households in this order
            # (selectors.PRIORITY_ORDER, read by selectors.PriorityList).
            models.Index(fields=["commune", "priority_rank", "-adults_without_phone", "head_name_ascii", "id"],
                         condition=Q(status="active"), name="household_priority_order"),
        ]

    def __str__(self) -> str:
        return f"{self.head_name} ({self.code or self.pk})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("beneficiaries:household_detail", args=[self.pk])

    @property
    def priority_label(self) -> str:
        """The group the household's rank puts it in (poor, near-poor, policy, other)."""
        return str(RANK_LABELS.get(self.priority_rank, Category.OTHER.label))

    @property
    def category_list(self) -> list[tuple[str, str, int | None]]:
        return category_list(self.categories or {})


class PersonQuerySet(ScopedQuerySet):
    unit_field = "household__commune"


class Person(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="people")
    full_name = models.CharField(_("họ tên"), max_length=120)
    citizen_id = models.CharField(_("số CCCD/CMND"), max_length=12, null=True, blank=True)
    id_kind = models.CharField(_("loại giấy tờ"), max_length=4, choices=IdKind.choices, blank=True,
                               default="")
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices, blank=True, default="")
    has_smartphone = models.BooleanField(_("có ĐTTM"), default=False)
    is_head = models.BooleanField(_("chủ hộ"), default=False)
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)

    # The household import writes people set-based (no per-row history); its household
    # history rows record the import. Edits through the registry pages are tracked here.
    history = HistoricalRecords(no_db_index=["household", "history_user"], user_db_constraint=False)
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        constraints = [
            models.UniqueConstraint(fields=["citizen_id"],
                                    condition=Q(is_active=True, citizen_id__isnull=False),
                                    name="person_citizen_id_unique_active"),
            models.UniqueConstraint(fields=["household"], condition=Q(is_head=True, is_active=True),
                                    name="person_one_active_head"),
            models.CheckConstraint(condition=Q(citizen_id__isnull=True) | Q(id_kind__in=["cccd", "cmnd"]),
                                   name="person_citizen_id_has_kind"),
        ]

    def __str__(self) -> str:
        return self.full_name
