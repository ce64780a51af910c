from django.contrib import admin

from phocap.accounts.admin_mixins import ScopedAdminMixin

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
    list_display = ("name", "province", "scheme", "start_date", "end_date", "is_active")
    list_filter = ("scheme", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ["province"]
    inlines = [PlanInline, TargetInline]
