from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from phocap.areas.models import AdminUnit


class User(AbstractUser):
    """Our own user model from day one, so it can grow without a painful swap later."""

    class Meta(AbstractUser.Meta):
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self) -> str:
        # Vietnamese names put the family name first: "Lương Thị Mai".
        return " ".join(part for part in (self.last_name, self.first_name) if part).strip()


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", _("Cán bộ tỉnh")
    DISTRICT_OFFICER = "district_officer", _("Cán bộ huyện")
    COMMUNE_OFFICIAL = "commune_official", _("Cán bộ xã")
    AUDITOR = "auditor", _("Kiểm tra (chỉ xem)")
    # Tổ công nghệ số cộng đồng: visits recipients after the hand-out and records outcomes.
    DIGITAL_TEAM = "digital_team", _("Tổ công nghệ số cộng đồng")


# Roles that may change data; the auditor only reads.
WRITE_ROLES = (Role.PROVINCE_STAFF, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICIAL)

# The unit levels each working role is attached to (the auditor may sit anywhere).
ROLE_LEVELS = {
    Role.PROVINCE_STAFF: (AdminUnit.Level.PROVINCE,),
    Role.DISTRICT_OFFICER: (AdminUnit.Level.DISTRICT,),
    Role.COMMUNE_OFFICIAL: (AdminUnit.Level.COMMUNE,),
    Role.DIGITAL_TEAM: (AdminUnit.Level.COMMUNE, AdminUnit.Level.VILLAGE),
}


class Membership(models.Model):
    """A user's role at a unit; it covers the unit and all its descendants."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("người dùng"))
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("đơn vị"))
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    # Who granted or removed an area: kept even after the membership is deleted.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        expected = ROLE_LEVELS.get(self.role)
        if expected and self.unit_id and self.unit.level not in expected:
            raise ValidationError({"unit": _("Vai trò %(role)s phải gắn với đơn vị cấp %(level)s.") % {
                "role": self.get_role_display(),
                "level": ", ".join(str(AdminUnit.Level(level).label) for level in expected)}})
