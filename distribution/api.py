"""Devices (with their path), batches and hand-outs, scoped like the pages; the writes of the
field and the office (intake, dispatch, receipt, hand-out and its reversal) and the two reads
an offline hand-out session caches (a village's priority list, a commune's stock).

Writes call the services and go through phocap.api.views.WriteView (Idempotency-Key,
{"code", "detail"} errors). Objects outside the user's area answer 404.
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
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

from phocap.accounts.models import Role
from phocap.accounts.scoping import can_access_unit, can_write_unit, scope_queryset
from phocap.api.errors import ApiError
from phocap.api.views import ERRORS, WriteView
from phocap.areas.models import AdminUnit
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


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


HANDOUT_EXAMPLE = OpenApiExample("Hand-out recorded offline", request_only=True, value={
    "household": 812, "person": 2031, "recipient_name": None, "citizen_id": "006080001234",
    "imei": "356938035643809", "handed_at": "2023-09-02T09:41:00+07:00", "programme": None})
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
        from beneficiaries.models import Household, Person

        data = _valid(HandoutCreateSerializer, request)
        if data.get("programme") is not None:
            programme = _programme(request.user, data["programme"])
        else:
            household = get_object_or_404(scope_queryset(Household.objects.select_related("commune"), request.user,
                                                         "commune", roles=[Role.COMMUNE_OFFICIAL]),
                                          pk=data["household"])
            programme = _programme(request.user, None, commune=household.commune)
        # The service locks and reads the household and the member; its first rule is that only
        # the household's commune officials hand out (scoping.is_officer_of): anyone else, and a
        # household that does not exist, gets 404 as for any object outside the user's area.
        try:
            handout = services.handout_create(
                programme=programme, household=Household(pk=data["household"]), by=request.user, imei=data["imei"],
                person=Person(pk=data["person"]) if data.get("person") is not None else None,
                recipient_name=data.get("recipient_name") or "", recipient_citizen_id=data.get("citizen_id") or "",
                handed_at=data["handed_at"])
        except Household.DoesNotExist:
            raise Http404
        except DomainError as e:
            if e.code == Code.NOT_COMMUNE_OFFICIAL:
                raise Http404
            raise
        return Response(HandoutSerializer(handout).data, status=status.HTTP_201_CREATED)


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
