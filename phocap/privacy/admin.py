from django.contrib import admin

from phocap.accounts.admin_mixins import SuperuserOnlyAdminMixin

from .models import CitizenIdAccess, ProgrammeRetention


@admin.register(ProgrammeRetention)
class ProgrammeRetentionAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("programme", "retain_months", "anonymised_at")
    readonly_fields = ("anonymised_at",)


@admin.register(CitizenIdAccess)
class CitizenIdAccessAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "subject", "where")
    search_fields = ("subject", "user__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
