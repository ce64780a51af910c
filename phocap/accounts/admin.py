from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .admin_mixins import SuperuserOnlyAdminMixin
from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class PhocapUserAdmin(SuperuserOnlyAdminMixin, UserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "is_staff", "is_active")


@admin.register(Membership)
class MembershipAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role", "unit__level")
    search_fields = ("user__username", "unit__name", "unit__code")
    autocomplete_fields = ["user", "unit"]


# Groups carry permissions, tokens sign in as their user, axes' records hold logins and IPs:
# like accounts, these belong to superusers, whatever model permissions a staff user holds.
def _superuser_only(model) -> None:
    if not admin.site.is_registered(model):
        return
    current = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(model, type(current.__name__, (SuperuserOnlyAdminMixin, current), {}))


def _restrict_third_party_admins() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import TokenProxy

    for model in (Group, TokenProxy, AccessAttempt, AccessLog, AccessFailureLog):
        _superuser_only(model)


_restrict_third_party_admins()
