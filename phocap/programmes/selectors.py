"""Which programme a page works in: the one picker every app's views call."""

from django.db.models import QuerySet

from phocap.areas.models import AdminUnit

from .models import Programme


def visible_programmes(user) -> QuerySet[Programme]:
    """The programmes of the user's provinces, running ones first, newest first."""
    return (Programme.objects.for_user(user).select_related("province")
            .order_by("-is_active", "-start_date", "pk"))


def pick_programme(user, *, pk: int | str | None = None, commune: AdminUnit | None = None,
                   running: bool = False, fallback: bool = True) -> Programme | None:
    """The programme a page shows, among those the user may see (another province's is None).

    - ``pk`` (an id, or the raw ``?programme=`` value): that programme; None when it is not
      a number or not visible. Pages read it from ``?programme=`` everywhere.
    - else ``commune``: the newest programme that targets the commune;
    - else, with ``fallback``, the newest programme the user sees (None without it).
    ``running`` keeps only programmes still running (hand-outs happen in those).
    """
    qs = visible_programmes(user)
    if running:
        qs = qs.filter(is_active=True)
    if pk not in (None, ""):
        return qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if commune is not None:
        targeting = qs.filter(targets__commune=commune).first()
        if targeting is not None or not fallback:
            return targeting
    return qs.first() if fallback else None
