"""What the API answers when a rule refuses a change."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def exception_handler(exc, context):
    """DRF's handler, and a DomainError becomes HTTP 400 ``{"code": ..., "detail": ...}``:
    the code for programs, the message in the request's language for people."""
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": str(exc.message)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def view_name(view) -> str:
    """The heading of a browsable-API page in the user's language: a view's own ``name``
    when it sets one, else DRF's name ("Api Root", "Device List") through our catalogue
    (locale/vi holds the Vietnamese; English shows DRF's name as it is)."""
    from django.utils.translation import gettext
    from rest_framework.views import get_view_name

    name = getattr(view, "name", None)
    return str(name) if name else gettext(get_view_name(view))
