"""Read-only admin: devices, batches and hand-outs change only through the services (the
pages), so the ledger and the projection never part ways behind an admin form."""

from django.contrib import admin

from phocap.accounts.admin_mixins import CitizenIdAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin

from .models import Batch, BatchLine, Device, DeviceMovement, Handout


class ReadOnlyAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(admin.TabularInline):
    """Shows `fields`, read-only; no rows added or deleted."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class MovementInline(ReadOnlyInline):
    model = DeviceMovement
    fields = ["at", "kind", "from_unit", "to_unit", "batch", "handout", "status_after", "reason", "by"]


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["imei", "model", "status", "condition", "holder_unit", "batch", "programme"]
    list_filter = ["status", "condition", "programme"]
    search_fields = ["imei"]
    list_select_related = ["holder_unit", "batch", "programme"]
    inlines = [MovementInline]


class LineInline(ReadOnlyInline):
    model = BatchLine
    fields = ["device", "outcome", "reason", "resolution", "resolved_at"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["pk", "number", "from_unit", "to_unit", "status", "partial", "dispatched_at", "received_at"]
    list_filter = ["status", "programme"]
    list_select_related = ["from_unit", "to_unit"]
    inlines = [LineInline]


@admin.register(Handout)
class HandoutAdmin(CitizenIdAdminMixin, ReadOnlyAdmin):
    citizen_id_fields = ("recipient_citizen_id",)
    list_display = ["pk", "recipient_name", "household", "device", "commune", "handed_out_on", "status"]
    list_filter = ["status", "programme"]
    search_fields = ["recipient_name", "device__imei", "recipient_citizen_id"]
    list_select_related = ["household", "device", "commune"]


@admin.register(DeviceMovement)
class DeviceMovementAdmin(ReadOnlyAdmin):
    list_display = ["at", "device", "kind", "from_unit", "to_unit", "batch", "status_after", "by"]
    list_filter = ["kind"]
    search_fields = ["device__imei"]
    list_select_related = ["device", "from_unit", "to_unit", "batch", "by"]
