from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from phocap.accounts.admin_mixins import ScopedAdminMixin
from phocap.accounts.models import Role
from phocap.common.errors import DomainError

from .models import Programme, ProgrammeCommune, ProgrammePlan
from .services import EDITABLE_FIELDS, programme_check_settings


class PlanInline(admin.TabularInline):
    model = ProgrammePlan
    extra = 0


class TargetInline(admin.TabularInline):
    model = ProgrammeCommune
    extra = 0
    autocomplete_fields = ["commune"]


class ProgrammeAdminForm(forms.ModelForm):
    """The admin obeys the service's rules (a province of the chosen scheme, dates, price)."""

    class Meta:
        model = Programme
        fields = ["name", "province", "scheme", "start_date", "end_date", "default_phone_price_vnd",
                  "one_phone_per_adult", "eligible_categories", "min_age", "description", "status"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {f: data.get(f, getattr(self.instance, f, None)) for f in EDITABLE_FIELDS}
        try:
            programme_check_settings(values, exclude_pk=self.instance.pk)
        except DomainError as e:
            raise forms.ValidationError(e.message, code=e.code)
        return data


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    # Seen by anyone working in the province; changed (price, dates, targets) by its staff only.
    write_unit_field = "province"
    write_roles = (Role.PROVINCE_STAFF,)
    form = ProgrammeAdminForm
    list_display = ("name", "province", "scheme", "start_date", "end_date", "status")
    list_filter = ("scheme", "status")
    search_fields = ("name",)
    autocomplete_fields = ["province"]
    inlines = [PlanInline, TargetInline]
