"""The administrative tree: province → (district →) commune → village.

Two schemes live side by side: "legacy" (three levels, before 1/7/2025) and "2025"
(two levels). A code is unique only within its scheme and level because the 2025
lists reuse old codes. Subtrees are found through a materialised path so no query
recurses in Python.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AdminUnitQuerySet(models.QuerySet):
    def subtree(self, unit: "AdminUnit") -> "AdminUnitQuerySet":
        """The unit and all its descendants."""
        return self.filter(path__startswith=unit.path)

    def descendants(self, unit: "AdminUnit") -> "AdminUnitQuerySet":
        return self.filter(path__startswith=unit.path).exclude(pk=unit.pk)

    def ancestors(self, unit: "AdminUnit", *, include_self: bool = False) -> "AdminUnitQuerySet":
        paths = unit.ancestor_paths()
        if include_self:
            paths.append(unit.path)
        return self.filter(path__in=paths).order_by("depth")

    def communes(self) -> "AdminUnitQuerySet":
        return self.filter(level=AdminUnit.Level.COMMUNE)

    def search(self, text: str) -> "AdminUnitQuerySet":
        from phocap.common.text import fold

        folded = fold(text)
        return self.filter(Q(name_ascii__contains=folded) | Q(code=text.strip()))


class AdminUnit(models.Model):
    class Scheme(models.TextChoices):
        LEGACY = "legacy", _("Trước 1/7/2025 (tỉnh – huyện – xã)")
        NEW = "2025", _("Từ 1/7/2025 (tỉnh – xã)")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        DISTRICT = "district", _("Huyện")
        COMMUNE = "commune", _("Xã")
        VILLAGE = "village", _("Thôn")

    scheme = models.CharField(_("hệ thống"), max_length=6, choices=Scheme.choices)
    level = models.CharField(_("cấp"), max_length=8, choices=Level.choices)
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=120)
    full_name = models.CharField(_("tên đầy đủ"), max_length=160)
    division_type = models.CharField(_("loại"), max_length=20)
    name_ascii = models.CharField(max_length=160, db_index=True, editable=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("trực thuộc"),
    )
    # "legacy/06/066/01900/": the scheme then each ancestor's code. Prefix = subtree.
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "level", "code"], name="adminunit_code_unique_in_scheme_level"),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True) | (~Q(level="province") & Q(parent__isnull=False)),
                name="adminunit_only_provinces_are_roots",
            ),
            models.CheckConstraint(
                condition=~Q(scheme="2025", level="district"), name="adminunit_no_district_in_2025",
            ),
            # One village of a given name per commune, whatever the spelling of accents/case.
            models.UniqueConstraint(
                fields=["parent", "name_ascii"], condition=Q(level="village"),
                name="adminunit_village_name_unique_in_commune",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "level", "name_ascii"], name="adminunit_level_name")]

    def __str__(self) -> str:
        return self.full_name or self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("areas:unit_detail", args=[self.scheme, self.level, self.code])

    @staticmethod
    def make_path(scheme: str, code: str, parent: "AdminUnit | None") -> str:
        return f"{parent.path if parent else scheme + '/'}{code}/"

    def ancestor_paths(self) -> list[str]:
        parts = self.path.strip("/").split("/")  # [scheme, code, code, ...]
        return ["/".join(parts[: i + 1]) + "/" for i in range(1, len(parts) - 1)]

    def is_within(self, other: "AdminUnit") -> bool:
        return self.path.startswith(other.path)

    @property
    def province_code(self) -> str:
        return self.path.split("/")[1]


class UnitMapping(models.Model):
    """Which 2025 commune(s) took over a legacy commune (from the official conversion table)."""

    legacy_unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successor_links")
    new_unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessor_links")

    class Meta:
        verbose_name = _("chuyển đổi đơn vị")
        verbose_name_plural = _("chuyển đổi đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["legacy_unit", "new_unit"], name="unitmapping_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.legacy_unit} → {self.new_unit}"
