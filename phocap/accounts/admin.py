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
