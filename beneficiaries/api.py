"""Read-only API: households (scoped, IDs masked as on the pages) and import job progress."""

from rest_framework import generics, serializers

from phocap.accounts.models import Role

from .models import Household, ImportJob
from .selectors import IdMasker


class HouseholdSerializer(serializers.ModelSerializer):
    commune_code = serializers.CharField(source="commune.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True, default="")
    head_citizen_id = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "commune_code", "village_name", "code", "head_name", "head_citizen_id", "members",
                  "adults", "adults_without_phone", "status", "priority_rank", "categories"]

    def get_head_citizen_id(self, obj) -> str:
        return self.context["masker"].show(obj.head_citizen_id, obj.commune)

    def get_categories(self, obj) -> list[str]:
        return [code for code, _label, _year in obj.category_list]


class HouseholdList(generics.ListAPIView):
    """GET /api/v1/households/?commune=<code> — the households the user may see."""

    serializer_class = HouseholdSerializer

    def get_queryset(self):
        qs = (Household.objects.for_user(self.request.user).select_related("commune", "village")
              .order_by("commune_id", "priority_rank", "pk"))
        code = self.request.query_params.get("commune")
        return qs.filter(commune__code=code) if code else qs

    def get_serializer_context(self):
        return super().get_serializer_context() | {"masker": IdMasker(self.request.user)}


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = ["id", "status", "original_name", "file_hash", "total_rows", "done_rows", "created_count",
                  "updated_count", "unchanged_count", "invalid_count", "created_at", "merged_at"]


class ImportJobDetail(generics.RetrieveAPIView):
    """GET /api/v1/household-imports/<id>/ — progress of an import (its commune's officials)."""

    serializer_class = ImportJobSerializer

    def get_queryset(self):
        return ImportJob.objects.writable_by(self.request.user, roles=[Role.COMMUNE_OFFICIAL])
