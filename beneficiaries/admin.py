from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from phocap.accounts.admin_mixins import CitizenIdAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Household, ImportJob, Person


class PersonInline(CitizenIdAdminMixin, admin.TabularInline):
    model = Person
    citizen_id_fields = ("citizen_id",)
    extra = 0


@admin.register(Household)
class HouseholdAdmin(CitizenIdAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: corrections go through the registry pages (services, history, and the
    signal coverage rebuilds from); a household that left is marked moved or dissolved."""

    citizen_id_fields = ("head_citizen_id",)
    list_display = ["head_name", "code", "commune", "village", "priority_rank", "status"]
    list_filter = ["status", "priority_rank"]
    search_fields = ["head_name_ascii", "code", "head_citizen_id"]
    raw_id_fields = ["commune", "village", "import_job"]
    inlines = [PersonInline]
    list_select_related = ["commune", "village"]


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "original_name", "commune", "status", "created_count", "updated_count",
                    "invalid_count", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["commune", "created_by"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # households point to their job without a database FK
