"""The API's own pieces: the write base class, the index of endpoints and the token."""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework.views import APIView

from .idempotency import run_idempotent

PREFIX = "api/v1/"

# Documented on every write (drf-spectacular adds it to the operation).
ERROR_SCHEMA = inline_serializer("Error", {
    "code": serializers.CharField(help_text="Stable code for programs, e.g. device_handed_out."),
    "detail": serializers.CharField(help_text="Message in the user's language."),
    "fields": serializers.DictField(required=False, help_text="Per-field messages (code 'invalid')."),
})
ERRORS = {
    400: OpenApiResponse(ERROR_SCHEMA, description="Invalid input or a rule refused it."),
    404: OpenApiResponse(ERROR_SCHEMA, description="Not found or outside the user's area."),
    409: OpenApiResponse(ERROR_SCHEMA, description="Refused by the current state (a conflict to resolve)."),
    422: OpenApiResponse(ERROR_SCHEMA, description="Idempotency-Key reused with another request."),
}


class WriteView(APIView):
    """POST runs `write()` once per Idempotency-Key (see idempotency.py)."""

    def post(self, request, *args, **kwargs):
        return run_idempotent(request, lambda: self.write(request, *args, **kwargs), view=self)

    def write(self, request, *args, **kwargs) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError


def _routes(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, route)
        elif isinstance(p, URLPattern) and p.name:
            yield p, route


def _methods(callback) -> list[str]:
    cls = getattr(callback, "cls", None)
    if cls is None:
        return ["GET"]
    actions = getattr(callback, "actions", None)
    names = actions.keys() if actions else [m for m in cls.http_method_names if hasattr(cls, m)]
    return sorted(m.upper() for m in names if m not in ("options", "head"))


def endpoints() -> dict[str, dict]:
    """Every named route under /api/v1/: name → {path, methods}."""
    found = {}
    for pattern, route in _routes(get_resolver().url_patterns):
        if not route.startswith(PREFIX) or pattern.name == "api-root" or r"\.(?P<format>" in route:
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        path = path.replace("^", "").replace("$", "")
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
        found.setdefault(pattern.name, {"path": path, "methods": _methods(pattern.callback)})
    return dict(sorted(found.items()))


@extend_schema(responses=inline_serializer("ApiIndex", {"endpoints": serializers.DictField()}))
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def api_root(request):
    """Every endpoint of /api/v1/ with its methods (addresses only, no data)."""
    return Response({"endpoints": endpoints(), "schema": "/api/schema/",
                     "authentication": "Session (with CSRF) or 'Authorization: Token <key>'",
                     "idempotency": "Send 'Idempotency-Key: <uuid4>' on every POST"})


class TokenView(APIView):
    """The signed-in user's API token (created on first call), for scripts and phones.

    Idempotent by nature (get or create), and not through Idempotency-Key on purpose: the
    stored answer would be a second copy of the credential."""

    @extend_schema(request=None, responses={200: inline_serializer("Token", {"token": serializers.CharField()})})
    def post(self, request):
        token, _created = Token.objects.get_or_create(user=request.user)
        return Response({"token": token.key})
