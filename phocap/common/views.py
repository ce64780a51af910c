import functools
import hashlib
import json
from pathlib import Path

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


# What the offline hand-out session needs besides its page (precached by the service worker).
OFFLINE_ASSETS = ("css/phocap.css", "js/offline_store.js", "js/phocap.js", "js/scan.js", "js/handout_session.js",
                  "vendor/zxing/zxing.min.js", "icons/phocap-192.png")


@functools.cache
def _offline_version() -> str:
    """Changes when an offline asset changes, so the service worker replaces its cache."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for name in OFFLINE_ASSETS:
        path = finders.find(name)
        if path:
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    """The service worker, served from the site root so that its scope covers the pages
    (a script under /static/ could only control /static/). Not cached by the browser's
    HTTP cache, so that a new version is picked up at the next visit."""
    from django.templatetags.static import static
    from django.urls import reverse

    response = render(request, "sw.js", {
        "version": _offline_version(), "assets": json.dumps([static(a) for a in OFFLINE_ASSETS]),
        "shell": json.dumps(reverse("distribution:handout_session"))}, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def web_manifest(request):
    """The installable web app: it opens on the offline hand-out session."""
    from django.templatetags.static import static
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return JsonResponse({
        "name": _("phocap — Phổ cập điện thoại thông minh"), "short_name": "phocap",
        "start_url": reverse("distribution:handout_session"), "scope": "/", "display": "standalone",
        "background_color": "#f5f6f8", "theme_color": "#b3261e", "lang": request.LANGUAGE_CODE,
        "icons": [{"src": static(f"icons/phocap-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png",
                   "purpose": "any maskable"} for n in (192, 512)],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


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
