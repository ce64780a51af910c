"""Devices (with their path), batches and hand-outs, scoped like the pages; the writes of the
field and the office (intake, dispatch, receipt, hand-out and its reversal) and the two reads
an offline hand-out session caches (a village's priority list, a commune's stock).

Writes call the services and go through phocap.api.views.WriteView (Idempotency-Key,
{"code", "detail"} errors). Objects outside the user's area answer 404.
"""

import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, permissions, serializers, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from phocap.accounts.models import Role
from phocap.accounts.scoping import can_access_unit, can_write_unit, scope_queryset
from phocap.api.errors import ApiError
from phocap.api.idempotency import run_idempotent_items
from phocap.api.views import ERRORS, WriteView
from phocap.areas.models import AdminUnit
from phocap.common import messages
from phocap.common.errors import DomainError
from phocap.programmes.models import Programme
from phocap.programmes.selectors import pick_programme

from . import selectors, services
from .errors import Code
from .models import Batch, BatchLine, Device, DeviceMovement, Handout


# Choice fields are plain strings here (values in docs/distribution.md): several apps have a
# "status", and one shared enum name per field would collide in the schema.
class MovementSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    status_after = serializers.CharField(read_only=True)
    from_unit = serializers.CharField(source="from_unit.full_name", default=None)
    to_unit = serializers.CharField(source="to_unit.full_name", default=None)
    reason = serializers.SerializerMethodField()

    class Meta:
        model = DeviceMovement
        fields = ["kind", "at", "from_unit", "to_unit", "batch", "handout", "status_after", "reason"]

    def get_reason(self, movement) -> str:
        """As typed; a reason the system wrote (a carry-over) in the client's language."""
        return messages.text(movement.reason)


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


# --- shared lookups ------------------------------------------------------------------------

def _programme(user, pk: int | None, *, commune: AdminUnit | None = None) -> Programme:
    """The programme named in the request (404 outside the user's provinces), or the commune's
    running programme when none is named."""
    if pk is not None:
        return get_object_or_404(Programme.objects.for_user(user).select_related("province"), pk=pk)
    programme = (pick_programme(user, commune=commune, running=True, fallback=False)
                 if commune is not None else None)
    if programme is None:
        raise DomainError(_("Xã chưa thuộc chương trình phổ cập nào đang triển khai."), code=Code.NO_PROGRAMME)
    return programme


def _unit(pk: int, *levels: str) -> AdminUnit:
    return get_object_or_404(AdminUnit.objects.filter(level__in=levels), pk=pk)


def _visible_unit(user, pk: int, *levels: str) -> AdminUnit:
    unit = _unit(pk, *levels)
    if not can_access_unit(user, unit):
        raise Http404
    return unit


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise ApiError(_("Tham số %(name)s phải là một số.") % {"name": name}, code="invalid")
    return int(value)


def _imeis_field(**kwargs):
    return serializers.ListField(child=serializers.RegexField(r"^[0-9]{15}$", max_length=15), **kwargs)


# --- hand-outs -----------------------------------------------------------------------------

class HandoutSerializer(serializers.ModelSerializer):
    imei = serializers.CharField(source="device.imei", read_only=True)
    citizen_id = serializers.CharField(source="recipient_citizen_id", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Handout
        fields = ["id", "programme", "commune", "household", "person", "device", "imei", "recipient_name",
                  "citizen_id", "handed_at", "handed_out_on", "status", "created_at", "reversed_at",
                  "reversal_reason"]
        # The model field has no verbose name (its migration stays): the form label of the browsable API.
        extra_kwargs = {"reversed_at": {"label": gettext_lazy("thời điểm thu hồi"), "read_only": True}}


class HandoutCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    person = serializers.IntegerField(required=False, allow_null=True,
                                      help_text="A member of the household; null for someone else named below.")
    recipient_name = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=120)
    citizen_id = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=12,
                                       help_text="The recipient's CCCD (12 digits) or CMND (9 digits).")
    imei = serializers.RegexField(r"^[0-9]{15}$", max_length=15, help_text="15 digits (Luhn checked).")
    handed_at = serializers.DateTimeField(help_text="When the phone was handed over (ISO 8601).")
    programme = serializers.IntegerField(required=False, allow_null=True,
                                         help_text="Default: the commune's running programme.")
    consent = serializers.BooleanField(
        help_text="The recipient agreed to the processing of their personal data (Decree 13/2023/NĐ-CP); "
                  "must be true, as on the hand-out form.")
    exception_reason = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=500,
        help_text="Only for a household or recipient outside the programme's eligibility: why the phone is "
                  "given anyway (kept with the rules it breaks). Without it such a hand-out is refused with the "
                  "rule's code.")

    def validate_consent(self, value):
        if not value:
            raise serializers.ValidationError(_("Cần người nhận đồng ý cho xử lý dữ liệu cá nhân "
                                                "(Nghị định 13/2023/NĐ-CP)."))
        return value


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


HANDOUT_EXAMPLE = OpenApiExample("Hand-out recorded offline", request_only=True, value={
    "household": 812, "person": 2031, "recipient_name": None, "citizen_id": "006080001234",
    "imei": "356938035643809", "handed_at": "2023-09-02T09:41:00+07:00", "programme": None, "consent": True,
    "exception_reason": None})
CONFLICT_EXAMPLE = OpenApiExample("The phone was handed out elsewhere meanwhile", response_only=True,
                                  status_codes=["409"], value={
                                      "code": "device_handed_out",
                                      "detail": "IMEI 356938035643809 đã được cấp phát cho một hộ tại Xã Côn Minh "
                                                "ngày 01/09/2023."})


@extend_schema_view(
    get=extend_schema(summary="Hand-outs the user may see"),
    post=extend_schema(
        summary="Record a hand-out",
        description=("A commune official hands a phone from the commune's stock to a household. Conflict codes "
                     "(409): device_handed_out, household_already_received, device_not_in_stock (the detail says "
                     "where the phone is now)."),
        request=HandoutCreateSerializer, responses={201: HandoutSerializer, **ERRORS},
        examples=[HANDOUT_EXAMPLE, CONFLICT_EXAMPLE]))
class HandoutListCreate(WriteView, generics.ListAPIView):
    serializer_class = HandoutSerializer

    def get_queryset(self):
        return selectors.handouts_for(user=self.request.user)

    def write(self, request):
        data = _valid(HandoutCreateSerializer, request)
        return _record_handout(request.user, data, _handout_programme(request.user, data))


def _handout_programme(user, data: dict, *, households: dict | None = None, cache: dict | None = None) -> Programme:
    """The programme named in the hand-out, else the running programme of its household's
    commune (404 for a household outside the user's communes). `households`, `cache`: rows a
    batch already read, and the answers already found (per programme id or commune)."""
    from beneficiaries.models import Household

    cache = {} if cache is None else cache
    if data.get("programme") is not None:
        name = ("programme", data["programme"])
        if name not in cache:
            cache[name] = _programme(user, data["programme"])
        return cache[name]
    household = (households or {}).get(data["household"])
    if household is None:
        household = get_object_or_404(scope_queryset(Household.objects.select_related("commune"), user,
                                                     "commune", roles=[Role.COMMUNE_OFFICIAL]), pk=data["household"])
    name = ("commune", household.commune_id)
    if name not in cache:
        cache[name] = _programme(user, None, commune=household.commune)
    return cache[name]


def _record_handout(user, data: dict, programme: Programme, preload=None, out: HandoutSerializer | None = None
                    ) -> Response:
    from beneficiaries.models import Household, Person

    # The service locks and reads the household and the member; its first rule is that only
    # the household's commune officials hand out (scoping.is_officer_of): anyone else, and a
    # household that does not exist, gets 404 as for any object outside the user's area.
    try:
        handout = services.handout_create(
            programme=programme, household=Household(pk=data["household"]), by=user, imei=data["imei"],
            person=Person(pk=data["person"]) if data.get("person") is not None else None,
            recipient_name=data.get("recipient_name") or "", recipient_citizen_id=data.get("citizen_id") or "",
            handed_at=data["handed_at"], consent=data["consent"], exception_reason=data.get("exception_reason") or "",
            preload=preload)
    except Household.DoesNotExist:
        raise Http404
    except DomainError as e:
        if e.code == Code.NOT_COMMUNE_OFFICIAL:
            raise Http404
        raise
    # A batch renders every item with one serializer (its fields are built once, not per item).
    data = out.to_representation(handout) if out is not None else HandoutSerializer(handout).data
    return Response(data, status=status.HTTP_201_CREATED)


# --- a batch of queued hand-outs (the offline session's sync) --------------------------------

MAX_SYNC_ITEMS = 200


class HandoutSyncItemSerializer(HandoutCreateSerializer):
    idempotency_key = serializers.UUIDField(help_text="Made by the client when the hand-out was recorded.")


class SyncRequestSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=MAX_SYNC_ITEMS,
                                  help_text=f"At most {MAX_SYNC_ITEMS}; each one as in the single write, "
                                            "plus its idempotency_key.")


class SyncItemResultSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The item's idempotency_key, as sent.")
    # A plain string, as every "status" of the API (one shared enum name would collide).
    status = serializers.CharField(
        help_text="created, replayed, conflict or invalid. created: done now; replayed: the key was answered before (by this endpoint or the single "
                  "write) and the stored answer follows (http_status, code, detail, the object); conflict: "
                  "refused by the current state (a 409 code); invalid: refused input, 404 or 403.")
    http_status = serializers.IntegerField(help_text="What the single write answered or would answer.")
    code = serializers.CharField(allow_null=True, help_text="The error code, as the single write's.")
    detail = serializers.CharField(allow_null=True, help_text="In the user's language.")
    fields = serializers.DictField(required=False, help_text="Per-field messages (code 'invalid').")


class HandoutSyncResultSerializer(SyncItemResultSerializer):
    handout = HandoutSerializer(allow_null=True)


class SyncAnswerSerializer(serializers.Serializer):
    items = HandoutSyncResultSerializer(many=True)


def sync_results(raw_items: list, entries: list, answers, object_name: str) -> list[dict]:
    """One answer per item in the order sent (items without a usable key are answered here)."""
    out, answered = [], iter(answers)
    for raw, entry in zip(raw_items, entries, strict=True):
        key = raw.get("idempotency_key") if isinstance(raw, dict) else None
        if entry is None:
            response, replayed = Response({"code": "idempotency_key_invalid", "detail": _(
                "Idempotency-Key phải là một UUID.")}, status=status.HTTP_400_BAD_REQUEST), False
        else:
            response, replayed = next(answered)
        ok, body = response.status_code < 300, response.data
        out.append({
            "key": str(key) if key is not None else None,
            "status": "replayed" if replayed else "created" if ok else
            "conflict" if response.status_code == status.HTTP_409_CONFLICT else "invalid",
            "http_status": response.status_code,
            "code": None if ok else body.get("code"), "detail": None if ok else body.get("detail"),
            **({"fields": body["fields"]} if not ok and "fields" in body else {}),
            object_name: body if ok else None,
        })
    return out


def sync_entries(raw_items: list, serializer_class) -> list:
    """Per item: None (no usable idempotency key), or (key, raw body, validated data or the
    ValidationError its own write answers with)."""
    entries = []
    for raw in raw_items:
        try:
            key = uuid.UUID(str(raw.get("idempotency_key", "")).strip())
        except ValueError:
            entries.append(None)
            continue
        serializer = serializer_class(data=raw)
        data = serializer.validated_data if serializer.is_valid() else serializers.ValidationError(serializer.errors)
        entries.append((key, raw, data))
    return entries


SYNC_EXAMPLE = OpenApiExample("Two hand-outs recorded offline", request_only=True, value={"items": [
    {"idempotency_key": "0b7f2c1e-5d1a-4c4e-9d0e-3f1a2b3c4d5e", "household": 812, "person": 2031,
     "citizen_id": "006080001234", "imei": "356938035643809", "handed_at": "2023-09-02T09:41:00+07:00",
     "consent": True, "exception_reason": None},
    {"idempotency_key": "6a1d9e3b-2c4f-4b8a-8e7d-1c2b3a4d5e6f", "household": 815, "person": None,
     "recipient_name": "Lý Thị Mai", "citizen_id": "006185004321", "imei": "490154203237518",
     "handed_at": "2023-09-02T10:05:00+07:00", "consent": True,
     "exception_reason": "Hộ mới nghèo năm nay, chưa có trong danh sách"}]})
SYNC_ANSWER_EXAMPLE = OpenApiExample("One created, one conflict", response_only=True, status_codes=["200"], value={
    "items": [
        {"key": "0b7f2c1e-5d1a-4c4e-9d0e-3f1a2b3c4d5e", "status": "created", "http_status": 201, "code": None,
         "detail": None, "handout": {"id": 4411, "programme": 1, "commune": 57, "household": 812, "person": 2031,
                                     "device": 9120, "imei": "356938035643809", "recipient_name": "Hoàng Văn An",
                                     "citizen_id": "006080001234", "handed_at": "2023-09-02T09:41:00+07:00",
                                     "handed_out_on": "2023-09-02", "status": "active",
                                     "created_at": "2023-09-04T08:00:02+07:00", "reversed_at": None,
                                     "reversal_reason": ""}},
        {"key": "6a1d9e3b-2c4f-4b8a-8e7d-1c2b3a4d5e6f", "status": "conflict", "http_status": 409,
         "code": "device_handed_out", "detail": "IMEI 490154203237518 đã được cấp phát cho một hộ tại Xã Côn Minh "
                                                "ngày 01/09/2023.", "handout": None}]})


@extend_schema(
    summary="Sync a queue of hand-outs recorded offline (one request for up to 200)",
    description=(
        "Each item is the single write (POST /api/v1/handouts/) with its own idempotency_key instead of the "
        "header: done once, its answer stored under the key, a replay answered as the first time (status "
        "'replayed'); each item runs the hand-out service in its own savepoint, so a refusal undoes only that "
        "item. Conflict codes as the single write: device_handed_out, household_already_received, "
        "device_not_in_stock, citizen_id_already_received. The request answers 200 with one result per item, "
        "in order; 400 only when `items` itself is malformed."),
    request=SyncRequestSerializer, responses={200: SyncAnswerSerializer, 400: ERRORS[400]},
    examples=[SYNC_EXAMPLE, SYNC_ANSWER_EXAMPLE])
class HandoutSync(APIView):
    def post(self, request):
        from beneficiaries.models import Household

        raw_items = _valid(SyncRequestSerializer, request)["items"]
        entries = sync_entries(raw_items, HandoutSyncItemSerializer)
        keyed = [e for e in entries if e is not None]
        valid = [d for _k, _r, d in keyed if isinstance(d, dict)]
        with transaction.atomic():
            preload = services.HandoutPreload.load(
                by=request.user, household_ids=[d["household"] for d in valid], imeis=[d["imei"] for d in valid],
                citizen_ids=[d.get("citizen_id") or "" for d in valid], programmes=[])
            # The programme of each item, found once per programme or commune.
            found, programmes = {}, []
            for _key, _raw, data in keyed:
                if isinstance(data, dict):
                    try:
                        data["_programme"] = _handout_programme(request.user, data, households=preload.households,
                                                                cache=found)
                        programmes.append(data["_programme"])
                    except (Http404, DomainError, Household.DoesNotExist) as exc:
                        data["_refused"] = exc
            preload.add_programmes(programmes, [d.get("citizen_id") or "" for d in valid])

            out = HandoutSerializer()

            def work(i: int) -> Response:
                data = keyed[i][2]
                if not isinstance(data, dict):
                    raise data
                if "_refused" in data:
                    raise data["_refused"]
                return _record_handout(request.user, data, data["_programme"], preload=preload, out=out)

            answers = run_idempotent_items(request, [(k, r) for k, r, _d in keyed], work, view=self,
                                           single_path=reverse("handout-list"))
            preload.announce()
        return Response({"items": sync_results(raw_items, entries, answers, "handout")})


class HandoutDetail(generics.RetrieveAPIView):
    serializer_class = HandoutSerializer

    def get_queryset(self):
        return selectors.handouts_for(user=self.request.user)


@extend_schema_view(post=extend_schema(
    summary="Reverse a hand-out (the phone comes back to the commune's stock)",
    request=ReasonSerializer, responses={200: HandoutSerializer, **ERRORS},
    examples=[OpenApiExample("Wrong recipient", request_only=True, value={"reason": "Cấp nhầm người nhận"})]))
class HandoutReverse(WriteView):
    def write(self, request, pk: int):
        handout = get_object_or_404(Handout.objects.writable_by(request.user, roles=[Role.COMMUNE_OFFICIAL]), pk=pk)
        data = _valid(ReasonSerializer, request)
        handout = services.handout_reverse(handout=handout, by=request.user, reason=data["reason"])
        return Response(HandoutSerializer(handout).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- reads for an offline hand-out session ---------------------------------------------------

class StockDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    imei = serializers.CharField()
    model = serializers.CharField()


class CommuneStockSerializer(serializers.Serializer):
    commune = serializers.IntegerField()
    programme = serializers.IntegerField(allow_null=True)
    devices = StockDeviceSerializer(many=True)


PROGRAMME_PARAM = OpenApiParameter("programme", int, description="Default: the commune's running programme.")


@extend_schema(responses={200: CommuneStockSerializer, 404: ERRORS[404]}, parameters=[PROGRAMME_PARAM])
@api_view(["GET"])
def commune_stock(request, pk: int):
    """Phones that can be handed out now at the commune: in its stock and not damaged (id, IMEI, model)."""
    commune = _visible_unit(request.user, pk, AdminUnit.Level.COMMUNE)
    programme = _programme(request.user, _int_param(request, "programme"), commune=commune)
    devices = (Device.objects.filter(programme=programme).in_stock_at(commune).usable()
               .order_by("imei").values("id", "imei", "model"))
    return Response({"commune": commune.pk, "programme": programme.pk, "devices": list(devices)})


class EligiblePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    citizen_id = serializers.CharField(help_text="Masked unless the user checks cards in this commune.")
    birth_year = serializers.IntegerField(allow_null=True)
    is_head = serializers.BooleanField()
    has_smartphone = serializers.BooleanField()
    received = serializers.BooleanField(help_text="Holds an active hand-out of the programme.")


class PriorityHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    head_name = serializers.CharField()
    head_citizen_id = serializers.CharField()
    priority_rank = serializers.IntegerField()
    category = serializers.CharField(help_text="The priority group (poor, near-poor, policy, other).")
    categories = serializers.ListField(child=serializers.CharField())
    adults = serializers.IntegerField()
    adults_without_phone = serializers.IntegerField()
    received = serializers.BooleanField(help_text="Already received a phone in the programme.")
    people = EligiblePersonSerializer(many=True)


class VillagePrioritySerializer(serializers.Serializer):
    village = serializers.IntegerField()
    commune = serializers.IntegerField()
    programme = serializers.IntegerField()
    households = PriorityHouseholdSerializer(many=True)


@extend_schema(responses={200: VillagePrioritySerializer, 404: ERRORS[404]}, parameters=[PROGRAMME_PARAM])
@api_view(["GET"])
def village_priority(request, pk: int):
    """The village's active households in the order phones go out, with the adults who may
    receive one: only what a hand-out needs (an offline session caches it)."""
    from beneficiaries.models import Person
    from beneficiaries.selectors import IdMasker, priority_list

    village = _visible_unit(request.user, pk, AdminUnit.Level.VILLAGE)
    commune = village.parent
    programme = _programme(request.user, _int_param(request, "programme"), commune=commune)
    received = Handout.objects.active().filter(programme=programme, person=OuterRef("pk"))
    people = (Person.objects.filter(is_active=True).annotate(received=Exists(received))
              .order_by("-is_head", "pk"))
    households = priority_list(commune=commune, programme=programme, village=village).prefetch_related(
        Prefetch("people", queryset=people, to_attr="active_people"))
    masker = IdMasker(request.user)
    rows = [{
        "id": h.pk, "code": h.code, "head_name": h.head_name,
        "head_citizen_id": masker.show(h.head_citizen_id, commune), "priority_rank": h.priority_rank,
        "category": h.priority_label, "categories": [c for c, _label, _year in h.category_list],
        "adults": h.adults, "adults_without_phone": h.adults_without_phone, "received": h.received,
        "people": [{"id": p.pk, "full_name": p.full_name, "citizen_id": masker.show(p.citizen_id, commune),
                    "birth_year": p.birth_year, "is_head": p.is_head, "has_smartphone": p.has_smartphone,
                    "received": p.received} for p in h.active_people],
    } for h in households]
    return Response({"village": village.pk, "commune": commune.pk, "programme": programme.pk, "households": rows})


# --- intake, dispatch, receipt -------------------------------------------------------------

class IntakeSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    donation = serializers.IntegerField(required=False, allow_null=True, help_text="An in-kind gift, or...")
    procurement = serializers.IntegerField(required=False, allow_null=True, help_text="...a purchase.")
    model = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                  help_text="Default: the model written on the source.")
    condition = serializers.ChoiceField(choices=[Device.Condition.NEW, Device.Condition.USED],
                                        default=Device.Condition.NEW)
    imeis = _imeis_field(min_length=1, max_length=5000)
    registered_at = serializers.DateTimeField(required=False, allow_null=True)


class IntakeResultSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    count = serializers.IntegerField()
    devices = StockDeviceSerializer(many=True)


@extend_schema_view(post=extend_schema(
    summary="Register phones into the stock of the unit that received their source",
    request=IntakeSerializer, responses={201: IntakeResultSerializer, **ERRORS},
    examples=[OpenApiExample("Two phones of a purchase", request_only=True, value={
        "programme": 1, "procurement": 4, "donation": None, "condition": "new",
        "imeis": ["356938035643809", "490154203237518"]})]))
class DeviceIntake(WriteView):
    def write(self, request):
        from donations.models import Donation, Procurement

        data = _valid(IntakeSerializer, request)
        programme = _programme(request.user, data["programme"])
        donation = procurement = None
        if data.get("donation") is not None:
            donation = get_object_or_404(Donation.objects.effective().writable_by(request.user),
                                         pk=data["donation"])
        if data.get("procurement") is not None:
            procurement = get_object_or_404(Procurement.objects.writable_by(request.user), pk=data["procurement"])
        source = donation or procurement
        if source is None or (donation and procurement):
            raise DomainError(_("Chọn đúng một nguồn: khoản ủng hộ hiện vật hoặc đợt mua sắm."),
                              code=Code.SOURCE_NOT_ONE)
        devices = services.devices_register(
            programme=programme, unit=source.unit, imeis=data["imeis"], by=request.user, donation=donation,
            procurement=procurement, model=data.get("model", ""), condition=data["condition"],
            at=data.get("registered_at"))
        return Response({"unit": source.unit_id, "count": len(devices),
                         "devices": [{"id": d.pk, "imei": d.imei, "model": d.model} for d in devices]},
                        status=status.HTTP_201_CREATED)


class DispatchSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    to_unit = serializers.IntegerField(help_text="A direct child (district or commune) of a unit you work at.")
    imeis = _imeis_field(required=False, allow_null=True, min_length=1, max_length=5000)
    count = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     help_text="Or: this many phones, oldest in stock first.")
    number = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=999)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    dispatched_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, data):
        if (data.get("imeis") is None) == (data.get("count") is None):
            raise serializers.ValidationError(_("Chọn một cách: số lượng lấy từ kho hoặc danh sách IMEI, không cả hai."))
        return data


class BatchLineSerializer(serializers.Serializer):
    imei = serializers.CharField()
    outcome = serializers.CharField()
    reason = serializers.CharField()


class BatchWriteResultSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = ["id", "programme", "number", "from_unit", "to_unit", "status", "partial", "dispatched_at",
                  "received_at", "lines"]

    @extend_schema_field(BatchLineSerializer(many=True))
    def get_lines(self, obj):
        return [{"imei": imei, "outcome": outcome, "reason": reason} for imei, outcome, reason in
                BatchLine.objects.filter(batch=obj).order_by("pk").values_list("device__imei", "outcome", "reason")]


@extend_schema_view(post=extend_schema(
    summary="Dispatch a batch to a direct child unit (picked IMEIs, or a count from stock)",
    request=DispatchSerializer, responses={201: BatchWriteResultSerializer, **ERRORS},
    examples=[OpenApiExample("Forty phones to a commune", request_only=True, value={
        "programme": 1, "to_unit": 57, "count": 40, "note": "Đợt 1 cho xã Côn Minh"})]))
class BatchDispatch(WriteView):
    def write(self, request):
        data = _valid(DispatchSerializer, request)
        programme = _programme(request.user, data["programme"])
        to_unit = _unit(data["to_unit"], AdminUnit.Level.DISTRICT, AdminUnit.Level.COMMUNE)
        if to_unit.parent is None or not can_write_unit(request.user, to_unit.parent):
            raise Http404
        batch = services.batch_dispatch(
            programme=programme, from_unit=to_unit.parent, to_unit=to_unit, by=request.user,
            imeis=data.get("imeis"), count=data.get("count"), number=data.get("number"), note=data["note"],
            at=data.get("dispatched_at"))
        return Response(BatchWriteResultSerializer(batch).data, status=status.HTTP_201_CREATED)


class ProblemDeviceSerializer(serializers.Serializer):
    imei = serializers.RegexField(r"^[0-9]{15}$", max_length=15)
    reason = serializers.CharField(max_length=255)


class ReceiveSerializer(serializers.Serializer):
    missing = ProblemDeviceSerializer(many=True, required=False, default=list)
    damaged = ProblemDeviceSerializer(many=True, required=False, default=list)
    received_at = serializers.DateTimeField(required=False, allow_null=True)


@extend_schema_view(post=extend_schema(
    summary="Confirm receipt of a batch: all of it, or with missing/damaged phones and reasons",
    request=ReceiveSerializer, responses={200: BatchWriteResultSerializer, **ERRORS},
    examples=[OpenApiExample("Everything arrived", request_only=True, value={}),
              OpenApiExample("One missing, one damaged", request_only=True, value={
                  "missing": [{"imei": "356938035643809", "reason": "Thất lạc khi vận chuyển"}],
                  "damaged": [{"imei": "490154203237518", "reason": "Vỡ màn hình"}]})]))
class BatchReceive(WriteView):
    def write(self, request, pk: int):
        batch = get_object_or_404(Batch.objects.for_user(request.user), pk=pk)
        data = _valid(ReceiveSerializer, request)
        named = {row["imei"] for row in data["missing"] + data["damaged"]}
        ids = dict(BatchLine.objects.filter(batch=batch, device__imei__in=named)
                   .values_list("device__imei", "device_id")) if named else {}
        unknown = sorted(named - set(ids))
        if unknown:
            raise DomainError(_("IMEI %(v)s không thuộc đợt này.") % {"v": ", ".join(unknown)},
                              code=Code.DEVICE_NOT_IN_BATCH)
        batch = services.batch_receive(
            batch=batch, by=request.user, at=data.get("received_at"),
            missing={ids[r["imei"]]: r["reason"] for r in data["missing"]},
            damaged={ids[r["imei"]]: r["reason"] for r in data["damaged"]})
        return Response(BatchWriteResultSerializer(batch).data)
