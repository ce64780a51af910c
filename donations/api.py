from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from phocap.api.views import ERRORS, WriteView
from phocap.programmes.models import Programme

from . import services
from .models import Donation, Pledge
from .selectors import donors_visible_to, programme_totals, writable_units


class DonorsByKindSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    enterprise = serializers.IntegerField()
    individual = serializers.IntegerField()
    other = serializers.IntegerField()


class TotalsSerializer(serializers.Serializer):
    """Documents the response; the figures come straight from `programme_totals`."""

    programme_id = serializers.IntegerField()
    cash_pledged_vnd = serializers.IntegerField()
    cash_received_vnd = serializers.IntegerField()
    cash_spent_vnd = serializers.IntegerField()
    cash_balance_vnd = serializers.IntegerField()
    phones_pledged = serializers.IntegerField()
    phones_in_kind = serializers.IntegerField()
    phones_in_kind_value_vnd = serializers.IntegerField()
    phones_purchased = serializers.IntegerField()
    phone_price_vnd = serializers.IntegerField()
    phones_equivalent_of_cash_received = serializers.IntegerField()
    phones_equivalent_of_balance = serializers.IntegerField()
    donors = serializers.IntegerField(help_text="Donors with at least one gift received (not reversed).")
    donors_by_kind = DonorsByKindSerializer()


@extend_schema(responses=TotalsSerializer)
@api_view(["GET"])
def programme_totals_view(request, pk: int):
    """The programme's fund: cash pledged/received/spent/balance, phones, donors by kind."""
    programme = get_object_or_404(Programme.objects.for_user(request.user), pk=pk)
    return Response(programme_totals(programme))


class DonationCreateSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    donor = serializers.IntegerField()
    unit = serializers.IntegerField(help_text="The unit that received the gift (a unit you work at or below).")
    received_on = serializers.DateField()
    cash_vnd = serializers.IntegerField(required=False, default=0, min_value=0)
    cash_method = serializers.ChoiceField(choices=Donation.CashMethod.choices, required=False, allow_blank=True,
                                          default="")
    receipt_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    phones_count = serializers.IntegerField(required=False, default=0, min_value=0)
    phone_model = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    phone_condition = serializers.ChoiceField(choices=Donation.PhoneCondition.choices, required=False,
                                              allow_blank=True, default="")
    phone_unit_value_vnd = serializers.IntegerField(required=False, default=0, min_value=0,
                                                    help_text="0: the programme's phone price.")
    pledge = serializers.IntegerField(required=False, allow_null=True, help_text="The pledge this gift fulfils.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DonationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Donation
        fields = ["id", "programme", "donor", "unit", "received_on", "cash_vnd", "cash_method", "receipt_number",
                  "phones_count", "phone_model", "phone_condition", "phone_unit_value_vnd", "pledge", "note"]


@extend_schema_view(post=extend_schema(
    summary="Record a cash or in-kind donation",
    request=DonationCreateSerializer, responses={201: DonationSerializer, **ERRORS},
    examples=[OpenApiExample("Cash by bank transfer", request_only=True, value={
                  "programme": 1, "donor": 7, "unit": 12, "received_on": "2023-08-22", "cash_vnd": 50000000,
                  "cash_method": "bank_transfer", "receipt_number": "CK-0815"}),
              OpenApiExample("Twenty phones in kind", request_only=True, value={
                  "programme": 1, "donor": 9, "unit": 12, "received_on": "2023-08-25", "phones_count": 20,
                  "phone_model": "Samsung Galaxy A04", "phone_condition": "new"})]))
class DonationCreate(WriteView):
    def write(self, request):
        data = DonationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        programme = get_object_or_404(Programme.objects.for_user(request.user), pk=d.pop("programme"))
        d["unit"] = get_object_or_404(writable_units(user=request.user, programme=programme), pk=d["unit"])
        d["donor"] = get_object_or_404(donors_visible_to(request.user), pk=d["donor"])
        pledge = d.pop("pledge", None)
        d["pledge"] = None
        if pledge is not None:
            d["pledge"] = Pledge.objects.for_user(request.user).filter(pk=pledge).first()
            if d["pledge"] is None:
                raise Http404
        donation = services.donation_create(programme=programme, by=request.user, **d)
        return Response(DonationSerializer(donation).data, status=status.HTTP_201_CREATED)
