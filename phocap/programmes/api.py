from rest_framework import serializers, viewsets

from .models import Programme


class ProgrammeSerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province.code", read_only=True)
    province_name = serializers.CharField(source="province.name", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name", "province_code", "province_name", "scheme", "start_date", "end_date",
                  "default_phone_price_vnd", "one_phone_per_adult", "eligible_categories", "min_age", "status",
                  "is_active"]


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """Programmes of the provinces the user works in."""

    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        return Programme.objects.for_user(self.request.user).select_related("province").order_by("pk")
