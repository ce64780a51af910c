from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from phocap.accounts.scoping import memberships
from phocap.programmes.models import Programme

from .tasks import HEARTBEAT_KEY


@login_required
def home(request):
    """The user's to-dos first (each app's `todos`), then their units and programmes."""
    from phocap.notifications.agenda import collect
    from phocap.notifications.models import Notification

    programmes = Programme.objects.for_user(request.user).select_related("province")
    return render(request, "home.html", {
        "todos": collect(request.user),
        "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count(),
        "memberships": memberships(request.user),
        "programmes": programmes,
    })


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: the database and the cache answer, and the broker if one
    is configured (with when a worker last ran a task)."""
    status = {"database": "ok", "broker": "eager", "cache": "ok"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        status["database"] = f"error: {exc.__class__.__name__}"
        code = 503
    beat = None
    try:
        # The cache carries the worker heartbeat and rebuild debouncing: it must answer.
        cache.set("phocap:healthz", 1, timeout=10)
        if cache.get("phocap:healthz") != 1:
            raise RuntimeError("cache did not keep a value")
        beat = cache.get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        status["cache"] = f"error: {exc.__class__.__name__}"
        code = 503
    if settings.CELERY_BROKER_URL:
        from phocap.celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            status["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            status["broker"] = f"error: {exc.__class__.__name__}"
            code = 503
        status["worker_last_seen"] = beat["at"] if beat else None
    status["status"] = "ok" if code == 200 else "error"
    return JsonResponse(status, status=code)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)
