from django.contrib import admin

from phocap.accounts.admin_mixins import ScopedAdminMixin
from phocap.accounts.models import Role

from .models import Programme, ProgrammeCommune, ProgrammePlan


class PlanInline(admin.TabularInline):
    model = ProgrammePlan
    extra = 0


class TargetInline(admin.TabularInline):
    model = ProgrammeCommune
    extra = 0
    autocomplete_fields = ["commune"]


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # Seen by anyone working in the province; changed (price, dates, targets) by its staff only.
    write_unit_field = "province"
    write_roles = (Role.PROVINCE_STAFF,)
    list_display = ("name", "province", "scheme", "start_date", "end_date", "is_active")
    list_filter = ("scheme", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ["province"]
    inlines = [PlanInline, TargetInline]
