"""Admin for staff: import donors and donations from Excel (dry-run preview first), export
all four lists. Writes go through the services; nothing is deleted.

Donations, pledges and procurement are entered on the app's pages (which call the
services with the fund lock); here they are read-only apart from the import.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from phocap.accounts.admin_mixins import ReadOnlyAdminMixin, ScopedAdminMixin
from phocap.common.errors import DomainError

from . import services
from .models import Donation, Donor, Pledge, Procurement
from .resources import DonationResource, DonorResource, PledgeResource


class NoDeleteScopedAdminMixin(ScopedAdminMixin):
    """Gifts are corrected by reversing entries, never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


class DonorAdminForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = list(services.DONOR_FIELDS)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            cleaned = services._clean_donor({f: data.get(f) for f in services.DONOR_FIELDS},
                                            exclude_pk=self.instance.pk)
        except DomainError as e:
            raise e.as_validation_error() from None
        data.update({k: v for k, v in cleaned.items() if k in services.DONOR_FIELDS})
        return data


@admin.register(Donor)
class DonorAdmin(NoDeleteScopedAdminMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [DonorResource]
    form = DonorAdminForm
    list_display = ("name", "kind", "tax_code", "phone", "unit", "public_consent")
    list_filter = ("kind", "public_consent")
    search_fields = ("name_ascii", "name", "tax_code", "phone")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.DONOR_FIELDS}
        if change:
            saved = services.donor_update(donor=obj, **data)
        else:
            saved = services.donor_create(**data)
        obj.pk, obj.name_ascii = saved.pk, saved.name_ascii


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [DonationResource]
    list_display = ("received_on", "donor", "unit", "cash_vnd", "phones_count", "receipt_number", "reverses",
                    "acknowledged_at")
    list_filter = ("programme", "cash_method", "phone_condition")
    search_fields = ("donor__name_ascii", "receipt_number")
    list_select_related = ("donor", "unit", "reverses")
    date_hierarchy = "received_on"

    def has_import_permission(self, request):
        return request.user.is_active and request.user.is_staff


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, ExportMixin, SimpleHistoryAdmin):
    resource_classes = [PledgeResource]
    list_display = ("pledged_on", "donor", "occasion", "cash_vnd", "phones", "due_date", "status_display")
    list_filter = ("programme",)
    search_fields = ("donor__name_ascii", "occasion")
    list_select_related = ("donor",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    @admin.display(description=_("trạng thái"))
    def status_display(self, obj):
        return obj.status_label


@admin.register(Procurement)
class ProcurementAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("purchased_on", "supplier", "invoice_number", "unit", "quantity", "unit_price_vnd")
    list_filter = ("programme",)
    list_select_related = ("unit",)
