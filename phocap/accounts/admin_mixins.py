from django.core.exceptions import PermissionDenied

from phocap.accounts.models import WRITE_ROLES, Role
from phocap.accounts.scoping import can_write_unit, memberships, scope_queryset


class ScopedAdminMixin:
    """Staff who are not superusers see in the admin only rows of the units they cover,
    and change only rows of units they may write to.

    Seeing uses the model's own `for_user` (the app's scoping rule); a model without one is
    hidden from them entirely — deny by default. Writing (add, change, delete) needs a
    write role at the row's unit (`write_unit_field`, by default the queryset's
    `unit_field`), checked on the row as it is and on the row as the form would save it;
    auditors never write.
    """

    scope_unit_field: str | None = None  # set when the model has no for_user()
    write_unit_field: str | None = None  # the FK path to the unit that decides who may change a row
    write_roles: tuple[str, ...] = WRITE_ROLES

    def _unit_of(self, obj):
        field = (self.write_unit_field or self.scope_unit_field
                 or getattr(self.model._default_manager.all(), "unit_field", None))
        if isinstance(field, tuple):
            field = field[0]
        if not field:
            return None
        value = obj
        for part in field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def may_write(self, request, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        roles = {r for r in self.write_roles if r != Role.AUDITOR}
        if not any(m.role in roles for m in memberships(user)):
            return False  # auditors and users without a write role: read only
        return obj is None or can_write_unit(user, self._unit_of(obj), roles)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self.may_write(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_write(request, obj)

    def save_form(self, request, form, change):
        # The row as it would be saved: a staff user must not move a row into another area.
        obj = super().save_form(request, form, change)
        if not self.may_write(request, obj):
            raise PermissionDenied
        return obj

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        if self.scope_unit_field is not None:
            return scope_queryset(qs, user, self.scope_unit_field)
        if hasattr(qs, "for_user"):
            return qs.for_user(user)
        return qs.none()


class ReadOnlyAdminMixin:
    """Rows that change only through the services (pages, imports): the admin shows them,
    never adds, edits or deletes them."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyAdminMixin:
    """Accounts are granted by system administrators only: a staff user with model
    permissions must not be able to give themselves a membership elsewhere."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class CitizenIdAdminMixin:
    """Citizen IDs in the admin for superusers only: the pages show them through the
    registry's masking rule, and the admin has no per-commune rule of its own."""

    citizen_id_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [f for f in fields if f not in self.citizen_id_fields]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if request.user.is_superuser:
            return fields
        return [f for f in fields if f.split("__")[-1] not in self.citizen_id_fields]
