"""Reads of follow-up visits: the recipients a user may visit, with their latest visit."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from phocap.accounts.scoping import scope_queryset

from .models import Visit
from .services import VISIT_ROLES


def recipients(*, user, programme=None, not_visited: bool = False, q: str = "", active_only: bool = True) -> QuerySet:
    """Active hand-outs where the user records visits (their village or commune), newest
    first, each with `latest_visit_id` annotated; optionally only those never visited.
    `active_only=False` keeps reversed ones too (an API write then gets the service's refusal
    for them rather than a 404)."""
    Handout = apps.get_model("distribution", "Handout")
    qs = Handout.objects.select_related("household__village", "commune")
    if active_only:
        qs = qs.filter(status=Handout.Status.ACTIVE)
    # The household's village for village teams; its commune for commune members.
    qs = scope_queryset(qs, user, ("household__village", "commune"), roles=VISIT_ROLES)
    if programme is not None:
        qs = qs.filter(programme=programme)
    visited = Visit.objects.filter(handout=OuterRef("pk"))
    qs = qs.annotate(visited=Exists(visited))
    if not_visited:
        qs = qs.filter(visited=False)
    if q:
        qs = qs.filter(Q(recipient_name__icontains=q) | Q(household__head_name__icontains=q))
    return qs.order_by("visited", "household__village__name", "recipient_name", "pk")


def latest_visits(handout_ids) -> dict[int, Visit]:
    return {v.handout_id: v for v in Visit.objects.filter(handout_id__in=list(handout_ids), is_latest=True)}
