"""Households (scoped, IDs masked as on the pages) and the household list import: upload,
progress (status and counts), confirm."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from phocap.accounts.models import Role
from phocap.accounts.scoping import scope_queryset
from phocap.api.views import ERRORS, WriteView
from phocap.areas.models import AdminUnit
from phocap.common import messages

from . import imports, services
from .models import Household, ImportJob
from .selectors import REGISTRY_ORDER, IdMasker


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
              .order_by("commune_id", *REGISTRY_ORDER))
        code = self.request.query_params.get("commune")
        return qs.filter(commune__code=code) if code else qs

    def get_serializer_context(self):
        return super().get_serializer_context() | {"masker": IdMasker(self.request.user)}


class ImportRowErrorSerializer(serializers.Serializer):
    """A problem of one row: the code is stable, the message is in the request's language."""

    sheet = serializers.CharField(default="")
    row = serializers.IntegerField()
    column = serializers.CharField()
    code = serializers.CharField(default="")
    message = serializers.SerializerMethodField()

    def get_message(self, error) -> str:
        return messages.error_text(error)


class ImportJobSerializer(serializers.ModelSerializer):
    # Why the whole file failed, in the request's language, and its code.
    message = serializers.SerializerMethodField()
    message_code = serializers.SerializerMethodField()
    errors = ImportRowErrorSerializer(many=True, read_only=True)  # the first ones; error_total counts all

    class Meta:
        model = ImportJob
        fields = ["id", "status", "original_name", "file_hash", "total_rows", "done_rows", "created_count",
                  "updated_count", "unchanged_count", "invalid_count", "created_at", "merged_at", "message",
                  "message_code", "error_total", "errors"]

    def get_message(self, job) -> str:
        return messages.text(job.message)

    def get_message_code(self, job) -> str:
        found = messages.decode(job.message)
        return found[0] if found else ""


def _jobs(user):
    return ImportJob.objects.writable_by(user, roles=[Role.COMMUNE_OFFICIAL])


class ImportJobDetail(generics.RetrieveAPIView):
    """GET /api/v1/household-imports/<id>/ — status and counts of an import (its commune's officials)."""

    serializer_class = ImportJobSerializer

    def get_queryset(self):
        return _jobs(self.request.user)


class ImportUploadSerializer(serializers.Serializer):
    commune = serializers.IntegerField()
    file = serializers.FileField(help_text="The household list (.xlsx, .xls or .csv), as on the upload page.")

    def validate_file(self, f):
        if f.size > imports.MAX_FILE_BYTES:
            raise serializers.ValidationError(_("File quá lớn; tối đa %(max)d MB. Hãy chia theo thôn.") % {
                "max": imports.MAX_FILE_BYTES // 1_000_000})
        return f


@extend_schema_view(post=extend_schema(
    summary="Upload a commune's household list; it is checked in the background",
    description="Answers the job (202). Poll GET /household-imports/{id}/ until status is validated or "
                "failed, then confirm.",
    request={"multipart/form-data": ImportUploadSerializer}, responses={202: ImportJobSerializer, **ERRORS},
    examples=[OpenApiExample("Upload", request_only=True, media_type="multipart/form-data",
                             value={"commune": 57, "file": "(binary) danh-sach-ho.xlsx"})]))
class ImportJobUpload(WriteView):
    def write(self, request):
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        communes = scope_queryset(AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE), request.user,
                                  unit_field="", roles=[Role.COMMUNE_OFFICIAL])
        commune = get_object_or_404(communes, pk=data.validated_data["commune"])
        upload = data.validated_data["file"]
        # Stored as it came; the worker reads it (the web process never parses an upload).
        job = services.import_job_create(commune=commune, data=upload.read(), filename=upload.name,
                                         by=request.user)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportConfirmSerializer(serializers.Serializer):
    skip_invalid = serializers.BooleanField(required=False, default=False,
                                            help_text="Merge the valid rows and leave the invalid ones out.")


@extend_schema_view(post=extend_schema(
    summary="Confirm the merge of a checked household list",
    request=ImportConfirmSerializer, responses={202: ImportJobSerializer, **ERRORS},
    examples=[OpenApiExample("Merge the valid rows only", request_only=True, value={"skip_invalid": True})]))
class ImportJobConfirm(WriteView):
    def write(self, request, pk: int):
        job = get_object_or_404(_jobs(request.user), pk=pk)
        data = ImportConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.import_job_confirm(job=job, by=request.user, skip_invalid=data.validated_data["skip_invalid"])
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
