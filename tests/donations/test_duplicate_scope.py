"""The likely-duplicate warning only names donors the officer may already see."""

import pytest
from django.urls import reverse

from donations.models import Donor
from donations.services import donor_create

pytestmark = pytest.mark.django_db


def test_duplicate_warning_does_not_reveal_another_districts_individual(client_for, tree, users):
    donor_create(kind=Donor.Kind.INDIVIDUAL, name="Nông Văn Dũng", unit=tree.ba_be,
                 address="Bản Pác Ngòi, Ba Bể")
    response = client_for(users.district).post(reverse("donations:donor_create"), {
        "kind": Donor.Kind.INDIVIDUAL, "name": "nong van dung", "unit": tree.na_ri.pk})
    body = response.content.decode()
    assert "Pác Ngòi" not in body and "Ba Bể" not in body
    assert Donor.objects.filter(name_ascii="nong van dung").count() == 2


def test_duplicate_warning_names_a_donor_of_the_officers_own_district(client_for, tree, users):
    donor_create(kind=Donor.Kind.INDIVIDUAL, name="Hà Thị Lan", unit=tree.con_minh)
    response = client_for(users.district).post(reverse("donations:donor_create"), {
        "kind": Donor.Kind.INDIVIDUAL, "name": "HA THI LAN", "unit": tree.na_ri.pk})
    assert response.status_code == 200
    assert "Hà Thị Lan" in response.content.decode()
    assert Donor.objects.filter(name_ascii="ha thi lan").count() == 1
