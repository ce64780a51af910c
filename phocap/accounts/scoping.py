"""The one place that decides what a user may see and change.

A membership covers its unit and every descendant (materialised path prefix).
Deny by default: an anonymous user, a user without memberships, or a row without a
unit sees nothing; only superusers see everything.
"""

from collections.abc import Iterable, Sequence

from django.db import models
from django.db.models import Q

from phocap.areas.models import AdminUnit

from .models import WRITE_ROLES, Membership, Role

_CACHE_ATTR = "_phocap_memberships"


def memberships(user) -> list[Membership]:
    """The user's memberships with their units, loaded once per request/user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit").order_by("unit__path"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user) -> None:
    """Drop the cached memberships (after they change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def covered_paths(user, roles: Iterable[str] | None = None) -> list[str]:
    roles = set(roles) if roles is not None else None
    return [m.unit.path for m in memberships(user) if roles is None or m.role in roles]


def user_roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def user_units(user, roles: Iterable[str] | None = None) -> list[AdminUnit]:
    roles = set(roles) if roles is not None else None
    seen, units = set(), []
    for m in memberships(user):
        if (roles is None or m.role in roles) and m.unit_id not in seen:
            seen.add(m.unit_id)
            units.append(m.unit)
    return units


def scope_q(user, unit_fields: str | Sequence[str] = "unit",
            roles: Iterable[str] | None = None) -> Q | None:
    """Q matching rows whose unit (any of `unit_fields`; "" = the row is a unit) lies under
    one of the user's covered units. None means the user covers nothing."""
    paths = _outermost(covered_paths(user, roles))
    if not paths:
        return None
    fields = [unit_fields] if isinstance(unit_fields, str) else list(unit_fields)
    condition = Q()
    for field in fields:
        lookup = f"{field}__path__startswith" if field else "path__startswith"
        for path in paths:
            condition |= Q(**{lookup: path})
    return condition


def scope_queryset(qs: models.QuerySet, user, unit_field: str | Sequence[str] = "unit",
                   roles: Iterable[str] | None = None) -> models.QuerySet:
    """Rows whose unit is covered by one of the user's memberships (optionally of given roles).

    With several unit fields a row is visible when any of them is covered (e.g. a device
    held by the unit or in transit to it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    condition = scope_q(user, unit_field, roles)
    return qs.none() if condition is None else qs.filter(condition)


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths already covered by a shorter one: fewer OR terms in the query."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(p) for p in result):
            result.append(path)
    return result


def can_access_unit(user, unit: AdminUnit | None, roles: Iterable[str] | None = None) -> bool:
    if unit is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return bool(unit is None and getattr(user, "is_superuser", False))
    if user.is_superuser:
        return True
    return any(unit.path.startswith(p) for p in covered_paths(user, roles))


def can_write_unit(user, unit: AdminUnit | None, roles: Iterable[str] = WRITE_ROLES) -> bool:
    roles = [r for r in roles if r != Role.AUDITOR]
    return can_access_unit(user, unit, roles)


def is_officer_of(user, unit: AdminUnit, roles: Iterable[str] = WRITE_ROLES) -> bool:
    """The user holds one of `roles` at this unit itself, not above it (only the receiving
    unit confirms a batch; only the commune's officials hand out). Never an auditor."""
    if getattr(user, "is_superuser", False):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = {r for r in roles if r != Role.AUDITOR}
    return any(m.unit_id == unit.pk and m.role in roles for m in memberships(user))


def province_paths(user, roles: Iterable[str] | None = None) -> set[str]:
    """Paths of the provinces the user works in (for programme-level visibility)."""
    return {"/".join(p.split("/")[:2]) + "/" for p in covered_paths(user, roles)}


class ScopedQuerySet(models.QuerySet):
    """Mix into a model's QuerySet; set `unit_field` to the FK holding the row's unit."""

    unit_field = "unit"

    def for_user(self, user, *, roles: Iterable[str] | None = None):
        return scope_queryset(self, user, self.unit_field, roles=roles)

    def writable_by(self, user, *, roles: Iterable[str] = WRITE_ROLES):
        return scope_queryset(self, user, self.unit_field, roles=[r for r in roles if r != Role.AUDITOR])


def officers_of(unit_ids, roles: Iterable[str] = WRITE_ROLES) -> dict[int, list]:
    """{unit id: active users holding one of `roles` at that unit itself} — who is told
    about what happens to the unit (a batch arriving, a pledge falling overdue)."""
    roles = [r for r in roles if r != Role.AUDITOR]
    out: dict[int, list] = {}
    for m in (Membership.objects.filter(unit_id__in=list(unit_ids), role__in=roles, user__is_active=True)
              .select_related("user")):
        out.setdefault(m.unit_id, []).append(m.user)
    return out
