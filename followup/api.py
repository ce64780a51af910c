"""Follow-up visits through the API: the recipients of a village to visit (an offline session
caches them) and the idempotent write of a visit, one at a time or a queue in one request.

Scoped like the pages (`selectors.recipients`): a village team sees its village, a commune
team and the commune's officials their commune; any other hand-out answers 404.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from distribution.api import (
    SyncItemResultSerializer,
    SyncRequestSerializer,
    sync_entries,
    sync_results,
)
from phocap.accounts.scoping import can_access_unit
from phocap.api.idempotency import run_idempotent_items
from phocap.api.views import ERRORS, WriteView
from phocap.areas.models import AdminUnit

from . import selectors, services
from .models import Visit


class VisitSerializer(serializers.ModelSerializer):
    phone_status = serializers.CharField(read_only=True)
    visited_by = serializers.CharField(source="visited_by.username", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "programme", "handout", "household", "commune", "village", "visited_on", "visited_by",
                  "vneid_level", "online_service_used", "cashless_account_open", "cashless_used", "phone_status",
                  "note", "is_latest", "created_at"]


class VisitCreateSerializer(serializers.Serializer):
    handout = serializers.IntegerField(help_text="The recipient's active hand-out.")
    visited_on = serializers.DateField()
    vneid_level = serializers.ChoiceField(Visit.Vneid.values, default=Visit.Vneid.NONE,
                                          help_text="0 not activated, 1 or 2: the VNeID level.")
    online_service_used = serializers.BooleanField(default=False)
    cashless_account_open = serializers.BooleanField(default=False)
    cashless_used = serializers.BooleanField(default=False, help_text="Needs cashless_account_open.")
    phone_status = serializers.ChoiceField(Visit.PhoneStatus.values, default=Visit.PhoneStatus.IN_USE,
                                           help_text="in_use, broken, lost or sold.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


def _record_visit(user, data: dict) -> Response:
    # Reversed hand-outs too: a phone returned while the visit waited offline is refused with
    # its own code (handout_not_active), not as if it did not exist.
    handout = get_object_or_404(selectors.recipients(user=user, active_only=False), pk=data["handout"])
    visit = services.visit_record(
        handout=handout, by=user, visited_on=data["visited_on"], vneid_level=data["vneid_level"],
        online_service_used=data["online_service_used"], cashless_account_open=data["cashless_account_open"],
        cashless_used=data["cashless_used"], phone_status=data["phone_status"], note=data["note"])
    return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


VISIT_EXAMPLE = {"handout": 4411, "visited_on": "2023-10-05", "vneid_level": 2, "online_service_used": True,
                 "cashless_account_open": True, "cashless_used": False, "phone_status": "in_use",
                 "note": "Đã hướng dẫn nộp hồ sơ trên Cổng dịch vụ công"}


@extend_schema_view(post=extend_schema(
    summary="Record a follow-up visit to a recipient",
    description=("The community digital technology team (its village or commune) or the commune's officials. "
                 "Refusal codes: handout_not_active, visit_before_handout, date_in_future, "
                 "visit_cashless_without_account; a hand-out outside the user's area is 404."),
    request=VisitCreateSerializer, responses={201: VisitSerializer, **ERRORS},
    examples=[OpenApiExample("VNeID level 2, an online service used", request_only=True, value=VISIT_EXAMPLE)]))
class VisitCreate(WriteView):
    def write(self, request):
        serializer = VisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _record_visit(request.user, serializer.validated_data)


class VisitSyncItemSerializer(VisitCreateSerializer):
    idempotency_key = serializers.UUIDField(help_text="Made by the client when the visit was recorded.")


class VisitSyncResultSerializer(SyncItemResultSerializer):
    visit = VisitSerializer(allow_null=True)


class VisitSyncAnswerSerializer(serializers.Serializer):
    items = VisitSyncResultSerializer(many=True)


@extend_schema(
    summary="Sync a queue of visits recorded offline (up to 200)",
    description=("Each item is the single write (POST /api/v1/visits/) with its own idempotency_key: done once, "
                 "its answer stored, a replay answered as the first time; a refusal undoes only its item."),
    request=SyncRequestSerializer, responses={200: VisitSyncAnswerSerializer, 400: ERRORS[400]},
    examples=[OpenApiExample("One visit recorded offline", request_only=True, value={"items": [
        {"idempotency_key": "3c9a1f0e-7b2d-4e5f-8a6b-9c0d1e2f3a4b", **VISIT_EXAMPLE}]})])
class VisitSync(APIView):
    def post(self, request):
        raw = SyncRequestSerializer(data=request.data)
        raw.is_valid(raise_exception=True)
        raw_items = raw.validated_data["items"]
        entries = sync_entries(raw_items, VisitSyncItemSerializer)
        keyed = [e for e in entries if e is not None]

        def work(i: int) -> Response:
            data = keyed[i][2]
            if not isinstance(data, dict):
                raise data
            return _record_visit(request.user, data)

        with transaction.atomic():
            answers = run_idempotent_items(request, [(k, r) for k, r, _d in keyed], work, view=self,
                                           single_path=reverse("visit-create"))
        return Response({"items": sync_results(raw_items, entries, answers, "visit")})


class LatestVisitSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    vneid_level = serializers.IntegerField()
    online_service_used = serializers.BooleanField()
    cashless_account_open = serializers.BooleanField()
    cashless_used = serializers.BooleanField()
    phone_status = serializers.CharField()


class RecipientSerializer(serializers.Serializer):
    handout = serializers.IntegerField()
    household = serializers.IntegerField()
    household_name = serializers.CharField()
    recipient_name = serializers.CharField()
    imei = serializers.CharField()
    handed_out_on = serializers.DateField()
    latest_visit = LatestVisitSerializer(allow_null=True, help_text="null: not visited yet.")


class VillageRecipientsSerializer(serializers.Serializer):
    village = serializers.IntegerField()
    commune = serializers.IntegerField()
    recipients = RecipientSerializer(many=True)
    phone_statuses = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                           help_text="[value, label] pairs, labels in the user's language.")


@extend_schema(responses={200: VillageRecipientsSerializer, 404: ERRORS[404]})
@api_view(["GET"])
def village_recipients(request, pk: int):
    """The village's recipients to visit (active hand-outs, not yet visited first) with their
    latest visit: only what a visit needs (an offline session caches it)."""
    village = get_object_or_404(AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE), pk=pk)
    if not can_access_unit(request.user, village, roles=services.VISIT_ROLES):
        raise Http404
    handouts = list(selectors.recipients(user=request.user).filter(household__village=village)
                    .select_related("device", "household"))
    latest = selectors.latest_visits(h.pk for h in handouts)
    fields = ["visited_on", "vneid_level", "online_service_used", "cashless_account_open", "cashless_used",
              "phone_status"]
    rows = [{"handout": h.pk, "household": h.household_id, "household_name": h.household.head_name,
             "recipient_name": h.recipient_name, "imei": h.device.imei, "handed_out_on": h.handed_out_on,
             "latest_visit": {f: getattr(latest[h.pk], f) for f in fields} if h.pk in latest else None}
            for h in handouts]
    return Response(VillageRecipientsSerializer(
        {"village": village.pk, "commune": village.parent_id, "recipients": rows,
         "phone_statuses": [[value, str(label)] for value, label in Visit.PhoneStatus.choices]}).data)
