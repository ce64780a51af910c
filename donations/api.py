from django.shortcuts import get_object_or_404
from rest_framework.decorators import api_view
from rest_framework.response import Response

from phocap.programmes.models import Programme

from .selectors import programme_totals


@api_view(["GET"])
def programme_totals_view(request, pk: int):
    """The programme's fund: cash pledged/received/spent/balance, phones, donors by kind."""
    programme = get_object_or_404(Programme.objects.for_user(request.user), pk=pk)
    return Response(programme_totals(programme))
