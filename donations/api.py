from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from phocap.programmes.models import Programme

from .selectors import programme_totals


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
