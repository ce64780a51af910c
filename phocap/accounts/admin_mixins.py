from phocap.accounts.scoping import scope_queryset


class ScopedAdminMixin:
    """Staff who are not superusers see in the admin only rows of the units they cover.

    Uses the model's own `for_user` (the app's scoping rule); a model without one is
    hidden from them entirely — deny by default.
    """

    scope_unit_field: str | None = None  # set when the model has no for_user()

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
