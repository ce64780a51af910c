"""One error shape for the whole API: {"code", "detail"} (+ "fields" for invalid input).

`code` is stable for programs (the offline app resolves conflicts by it); `detail` is in the
user's language. Services' DomainErrors keep their code; a rule that refuses because the
world changed (a phone handed out meanwhile, a household already served) is a 409.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from phocap.common.errors import DomainError

# Refusals caused by the current state rather than by the request itself: the client
# resolves them (the offline app lists them for the official).
CONFLICT_CODES = frozenset({
    "device_handed_out", "device_not_in_stock", "household_already_received", "citizen_id_already_received", "handout_already_reversed",
    "batch_not_dispatched", "import_not_awaiting_confirmation", "imei_already_registered", "concurrent_change",
    "batch_number_taken", "stock_insufficient", "source_capacity_exceeded",
})
# The user sees the object but their role may not do this (a province officer confirming a
# district's batch).
FORBIDDEN_CODES = frozenset({"not_officer_of_unit", "not_commune_official", "not_receiving_officer",
                             "not_sending_officer"})


class ApiError(exceptions.APIException):
    """An error the API itself raises (bad key, unknown programme...) with our code."""

    def __init__(self, detail: str, *, code: str, status_code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.error_code = code


def domain_error_response(exc: DomainError) -> Response:
    code = exc.code or "invalid"
    if code in CONFLICT_CODES:
        http = status.HTTP_409_CONFLICT
    elif code in FORBIDDEN_CODES:
        http = status.HTTP_403_FORBIDDEN
    else:
        http = status.HTTP_400_BAD_REQUEST
    return Response({"code": code, "detail": str(exc.message)}, status=http)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "detail": _("Dữ liệu gửi lên không hợp lệ."), "fields": response.data}
    elif isinstance(exc, ApiError):
        response.data = {"code": exc.error_code, "detail": str(exc.detail)}
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes()
        response.data = {"code": code if isinstance(code, str) else "error", "detail": str(exc.detail)}
    return response
