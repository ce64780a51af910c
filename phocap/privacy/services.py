"""Personal data: logging who saw a full citizen ID, and anonymising a programme's
recipients once its retention period is over.

Anonymisation reads the other apps' tables by name (apps.get_model), as coverage does, so
the ground floor imports none of them. It keeps every count the figures are made of
(households, categories, adults, hand-outs, visits, grievances) and never touches the
device ledger: only names, citizen IDs, phones, addresses, free text and signed scans go.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections.abc import Iterable

from django.apps import apps
from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from phocap.common.locking import locked

from .models import CitizenIdAccess, ProgrammeRetention

logger = logging.getLogger(__name__)

ANONYMOUS = "(đã ẩn danh)"
# Satisfies the hand-out's "9 or 12 digits" CHECK without being anybody's number.
ANONYMOUS_ID = "000000000000"


def log_id_access(*, user, subjects: Iterable[str], where: str) -> int:
    rows = [CitizenIdAccess(user=user, subject=s, where=where[:200]) for s in dict.fromkeys(subjects)]
    if rows and getattr(user, "is_authenticated", False):
        CitizenIdAccess.objects.bulk_create(rows)
        return len(rows)
    return 0


def add_months(day: datetime.date, months: int) -> datetime.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return day.replace(year=year, month=month0 + 1, day=min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def expired_programmes(today: datetime.date):
    """Programmes whose end date plus retention period is past, not yet anonymised."""
    return [r.programme for r in ProgrammeRetention.objects.filter(anonymised_at__isnull=True,
                                                                    programme__end_date__isnull=False)
            .select_related("programme", "programme__province")
            if add_months(r.programme.end_date, r.retain_months) < today]


def _history(model):
    return model.history.model if hasattr(model, "history") else None


def _scrub(model, ids_q: Q, values: dict) -> int:
    """Overwrite personal fields on the rows and on their history rows."""
    n = model.objects.filter(ids_q).update(**values)
    history = _history(model)
    if history is not None:
        names = {f.name for f in history._meta.concrete_fields}
        ids = model.objects.filter(ids_q).values("pk")
        history.objects.filter(id__in=ids).update(**{k: v for k, v in values.items() if k in names})
    return n


@transaction.atomic
def programme_anonymise(*, programme) -> dict:
    """Anonymise the personal data of the programme's recipients: hand-outs, the households
    that received a phone in it (unless another programme still within its period holds
    them), their people, the visits' notes and the grievances of the programme."""
    Handout = apps.get_model("distribution", "Handout")
    Household = apps.get_model("beneficiaries", "Household")
    Person = apps.get_model("beneficiaries", "Person")
    Visit = apps.get_model("followup", "Visit")
    Grievance = apps.get_model("grievances", "Grievance")
    retention = locked(ProgrammeRetention.objects.filter(programme=programme)).get()
    if retention.anonymised_at:
        return {}
    expired = {p.pk for p in expired_programmes(timezone.localdate())}
    kept = [pk for pk in apps.get_model("programmes", "Programme").objects.exclude(pk=programme.pk)
            .values_list("pk", flat=True) if pk not in expired]
    held_elsewhere = Handout.objects.filter(programme_id__in=kept).values("household_id")
    households = Q(pk__in=Handout.objects.filter(programme=programme).values("household_id")) & ~Q(
        pk__in=held_elsewhere)
    # Signed minutes are scans of the recipient's signature and ID: the files go too.
    for handout in Handout.objects.filter(programme=programme).exclude(signed_scan=""):
        handout.signed_scan.delete(save=False)
    counts = {
        "handouts": _scrub(Handout, Q(programme=programme),
                           {"recipient_name": ANONYMOUS, "recipient_citizen_id": ANONYMOUS_ID, "signed_scan": ""}),
        "people": _scrub(Person, Q(household__in=Household.objects.filter(households)),
                         {"full_name": ANONYMOUS, "citizen_id": None, "id_kind": ""}),
        "households": _scrub(Household, households & ~Q(code=""),
                             {"head_name": ANONYMOUS, "head_name_ascii": "", "head_citizen_id": None, "phone": "",
                              "address": "", "notes": ""}),
        "visits": _scrub(Visit, Q(programme=programme), {"note": ""}),
        "grievances": _scrub(Grievance, Q(programme=programme),
                             {"reporter_name": "", "reporter_phone": "", "description": ANONYMOUS}),
    }
    # Households without a code are known by their head's ID (a CHECK): they get a code first.
    no_code = Household.objects.filter(households & Q(code=""))
    counts["households"] += no_code.count()
    no_code.update(code=Concat(Value("AN-"), Cast(F("pk"), CharField())), head_name=ANONYMOUS, head_name_ascii="",
                   head_citizen_id=None, phone="", address="", notes="")
    _history(Household).objects.filter(id__in=Household.objects.filter(households).values("pk")).update(
        head_name=ANONYMOUS, head_citizen_id=None, phone="", address="", notes="")
    retention.anonymised_at = timezone.now()
    retention.save(update_fields=["anonymised_at"])
    logger.info("programme %s anonymised: %s", programme.pk, counts)
    return counts


def anonymise_expired(*, today: datetime.date | None = None) -> int:
    done = 0
    for programme in expired_programmes(today or timezone.localdate()):
        programme_anonymise(programme=programme)
        done += 1
    return done
