from django.contrib import admin

from .models import AdminUnit, UnitMapping


class ReferenceDataAdminMixin:
    """Official units and the conversion table are reference data: staff may look them up
    (the programme admin's pickers use them), only superusers change them."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(AdminUnit)
class AdminUnitAdmin(ReferenceDataAdminMixin, admin.ModelAdmin):
    list_display = ("full_name", "code", "scheme", "level", "division_type", "parent")
    list_filter = ("scheme", "level", "division_type")
    search_fields = ("name", "name_ascii", "code")
    readonly_fields = ("path", "depth", "name_ascii")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)

    def has_delete_permission(self, request, obj=None):
        # Official units are loaded from the national list, never deleted by hand.
        return False


@admin.register(UnitMapping)
class UnitMappingAdmin(ReferenceDataAdminMixin, admin.ModelAdmin):
    list_display = ("legacy_unit", "new_unit")
    search_fields = ("legacy_unit__name", "new_unit__name", "legacy_unit__code", "new_unit__code")
    raw_id_fields = ("legacy_unit", "new_unit")
