"""Personal data (Decree 13/2023/NĐ-CP): consent recorded at hand-out, an access log of who
saw a full citizen ID, and anonymisation after the retention period that keeps the totals
and the device ledger."""

import datetime

import pytest
from django.urls import reverse

from beneficiaries.models import Household, Person
from distribution import services as dist
from distribution.models import DeviceMovement, Handout
from followup.services import visit_record
from phocap.privacy.models import CitizenIdAccess, ProgrammeRetention
from phocap.privacy.services import ANONYMOUS, anonymise_expired
from programme_coverage.models import FIGURES, CoverageSummary
from programme_coverage.services import coverage_rebuild_programme
from tests.factories import Role, member

pytestmark = pytest.mark.django_db


def _post_handout(client, households, commune_stock, **extra):
    person = households.poor.people.get(is_head=True)
    return client.post(reverse("distribution:handout_create", args=[households.poor.pk]), {
        "person": person.pk, "recipient_name": "", "recipient_citizen_id": "", "handed_out_on": "10/09/2023",
        "imei": commune_stock[0].imei, **extra})


def test_handout_needs_the_recipients_consent(client_for, users, commune_stock, households):
    client = client_for(users.commune)
    response = _post_handout(client, households, commune_stock)
    assert response.status_code == 200 and "consent" in response.context["form"].errors
    assert not Handout.objects.exists()
    assert _post_handout(client, households, commune_stock, consent="on").status_code == 302
    assert Handout.objects.get().consent_at is not None


def test_full_citizen_ids_shown_are_logged(client_for, users, households, commune_stock, programme):
    head = households.poor.people.get(is_head=True)
    Household.objects.filter(pk=households.poor.pk).update(head_citizen_id="006080001234")
    client_for(users.commune).get(households.poor.get_absolute_url())
    seen = set(CitizenIdAccess.objects.filter(user=users.commune).values_list("subject", flat=True))
    assert {f"household:{households.poor.pk}", f"person:{head.pk}"} <= seen
    # The auditor sees masked numbers: nothing to log.
    client_for(users.auditor).get(households.poor.get_absolute_url())
    client_for(users.auditor).get(reverse("beneficiaries:household_list"))
    assert not CitizenIdAccess.objects.filter(user=users.auditor).exists()
    client_for(users.commune).get(reverse("beneficiaries:household_list") + "?format=xlsx")
    assert CitizenIdAccess.objects.filter(user=users.commune, where="export:households").exists()
    handout = dist.handout_create(programme=programme, household=households.poor, by=users.commune,
                                  imei=commune_stock[0].imei, handed_out_on=datetime.date(2023, 9, 1), person=head)
    client_for(users.district).get(handout.get_absolute_url())
    assert CitizenIdAccess.objects.filter(user=users.district, subject=f"handout:{handout.pk}").exists()


def _figures(programme):
    return {r.commune_id: tuple(getattr(r, f) for f in FIGURES)
            for r in CoverageSummary.objects.filter(programme=programme)}


def test_anonymisation_after_retention_keeps_totals_and_ledger(programme, tree, users, commune_stock, households):
    head = households.poor.people.get(is_head=True)
    handout = dist.handout_create(programme=programme, household=households.poor, by=users.commune,
                                  imei=commune_stock[0].imei, handed_out_on=datetime.date(2023, 9, 1), person=head,
                                  consent=True)
    visit_record(handout=handout, by=member(tree.con_minh, Role.DIGITAL_TEAM), visited_on=datetime.date(2023, 10, 1),
                 vneid_level=1, note="Gặp chị Mai, SĐT 0912345678")
    coverage_rebuild_programme(programme=programme)
    before, ledger = _figures(programme), DeviceMovement.objects.count()
    programme.end_date = datetime.date(2024, 6, 30)
    programme.save()
    ProgrammeRetention.objects.create(programme=programme, retain_months=12)
    assert anonymise_expired(today=datetime.date(2025, 6, 30)) == 0     # still within the period
    assert anonymise_expired(today=datetime.date(2025, 7, 1)) == 1
    assert anonymise_expired(today=datetime.date(2025, 7, 2)) == 0      # once

    handout.refresh_from_db()
    assert (handout.recipient_name, handout.recipient_citizen_id) == (ANONYMOUS, "000000000000")
    hh = Household.objects.get(pk=households.poor.pk)
    assert (hh.head_name, hh.head_citizen_id, hh.phone) == (ANONYMOUS, None, "")
    assert set(Person.objects.filter(household=hh).values_list("citizen_id", flat=True)) == {None}
    assert not Household.history.filter(id=hh.pk).exclude(head_name=ANONYMOUS).exists()
    assert not Handout.history.filter(id=handout.pk).exclude(recipient_name=ANONYMOUS).exists()
    assert "0912345678" not in str(list(handout.visits.values_list("note", flat=True)))
    # Households of no hand-out keep their data; figures and ledger are unchanged.
    assert Household.objects.get(pk=households.near_poor.pk).head_name == "Nông Thị Hoa"
    coverage_rebuild_programme(programme=programme)
    assert _figures(programme) == before
    assert DeviceMovement.objects.count() == ledger
