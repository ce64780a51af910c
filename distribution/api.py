"""Read-only API: devices (with their path) and batches, scoped like the pages."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets

from .models import Batch, Device, DeviceMovement


# Choice fields are plain strings here (values in docs/distribution.md): several apps have a
# "status", and one shared enum name per field would collide in the schema.
class MovementSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    status_after = serializers.CharField(read_only=True)
    from_unit = serializers.CharField(source="from_unit.full_name", default=None)
    to_unit = serializers.CharField(source="to_unit.full_name", default=None)

    class Meta:
        model = DeviceMovement
        fields = ["kind", "at", "from_unit", "to_unit", "batch", "handout", "status_after", "reason"]


class DeviceSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    condition = serializers.CharField(read_only=True)
    holder_unit = serializers.CharField(source="holder_unit.full_name", default=None)

    class Meta:
        model = Device
        fields = ["imei", "programme", "model", "condition", "status", "holder_unit", "batch",
                  "source_donation", "source_procurement", "registered_at"]


class DeviceDetailSerializer(DeviceSerializer):
    movements = serializers.SerializerMethodField()

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "movements"]

    @extend_schema_field(MovementSerializer(many=True))
    def get_movements(self, obj):
        qs = obj.movements.select_related("from_unit", "to_unit").order_by("pk")
        return MovementSerializer(qs, many=True).data


class DeviceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "imei"

    def get_queryset(self):
        qs = Device.objects.for_user(self.request.user).select_related("holder_unit").order_by("pk")
        status = self.request.query_params.get("status")
        if status:
            qs = qs.filter(status=status)
        return qs

    def get_serializer_class(self):
        return DeviceDetailSerializer if self.action == "retrieve" else DeviceSerializer


class BatchSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    from_unit = serializers.CharField(source="from_unit.full_name")
    to_unit = serializers.CharField(source="to_unit.full_name")

    class Meta:
        model = Batch
        fields = ["id", "programme", "number", "from_unit", "to_unit", "status", "partial",
                  "dispatched_at", "received_at"]


class BatchViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = BatchSerializer

    def get_queryset(self):
        return Batch.objects.for_user(self.request.user).select_related("from_unit", "to_unit").order_by("-pk")
