from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from phocap.accounts.scoping import memberships
from phocap.programmes.models import Programme

from . import health


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
    """Liveness and readiness (phocap.common.health): 200 when every part answers, else 503."""
    status, ok = health.check()
    return JsonResponse(status, status=200 if ok else 503)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)
