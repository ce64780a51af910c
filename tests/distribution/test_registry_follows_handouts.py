"""After a hand-out the registry shows it: the member's smartphone flag and the household's
adults-without-a-smartphone count follow, through the phones_changed event sent on commit;
a reversal undoes it. beneficiaries never imports distribution."""

import ast
import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from beneficiaries.models import Household, Person
from distribution import services
from distribution.errors import Code
from phocap.common import messages
from tests.errors import raises_code

TODAY = datetime.date(2023, 9, 10)


@pytest.fixture
def hand_out(users, programme, django_capture_on_commit_callbacks):
    def _hand_out(household, device, *, person=None, name="Lý Thị Mai", cid="006185004321"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.handout_create(programme=programme, household=household, by=users.commune,
                                           imei=device.imei, handed_out_on=TODAY, person=person,
                                           recipient_name=name, recipient_citizen_id=cid)

    return _hand_out


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_member_flag_and_household_count_follow_a_hand_out_and_its_reversal(
        hand_out, households, commune_stock, users, django_capture_on_commit_callbacks):
    mai = households.poor.people.get(full_name="Lý Thị Mai")
    assert (mai.has_smartphone, households.poor.adults_without_phone) == (False, 1)
    handout = hand_out(households.poor, commune_stock[0], person=mai)
    assert fresh(mai).has_smartphone is True and fresh(households.poor).adults_without_phone == 0
    assert messages.text(fresh(households.poor).history.first().history_change_reason) == "cấp phát điện thoại"
    with django_capture_on_commit_callbacks(execute=True):
        services.handout_reverse(handout=handout, by=users.commune, reason="Cấp nhầm")
    assert fresh(mai).has_smartphone is False and fresh(households.poor).adults_without_phone == 1


def test_hand_out_to_someone_not_on_the_list_lowers_the_count(hand_out, households, commune_stock):
    hand_out(households.poor, commune_stock[0], name="Hoàng Thị Khách", cid="006190055555")
    assert fresh(households.poor).adults_without_phone == 0
    assert not Person.objects.filter(household=households.poor, has_smartphone=True).exists()


def test_nothing_changes_before_the_commit(users, programme, households, commune_stock):
    """The registry hears it on commit only: a rolled-back hand-out leaves it untouched."""
    services.handout_create(programme=programme, household=households.poor, by=users.commune,
                            imei=commune_stock[0].imei, handed_out_on=TODAY, recipient_name="A",
                            recipient_citizen_id="006080001234")
    assert fresh(households.poor).adults_without_phone == 1  # no commit inside the test transaction


def test_one_phone_per_adult_uses_the_followed_count(hand_out, households, commune_stock, programme):
    programme.one_phone_per_adult = True
    programme.save()
    Household.objects.filter(pk=households.poor.pk).update(adults_without_phone=2)
    hand_out(households.poor, commune_stock[0], name="Hoàng Văn Pản", cid="006080001234")
    hand_out(households.poor, commune_stock[1])
    assert fresh(households.poor).adults_without_phone == 0
    with raises_code(Code.HOUSEHOLD_ALREADY_RECEIVED):
        hand_out(households.poor, commune_stock[2], name="X", cid="006185004322")


def test_household_page_shows_who_received_which_phone_and_when(hand_out, households, commune_stock, users,
                                                                 client_for):
    mai = households.poor.people.get(full_name="Lý Thị Mai")
    hand_out(households.poor, commune_stock[0], person=mai)
    page = client_for(users.commune).get(reverse("beneficiaries:household_detail", args=[households.poor.pk]))
    text = page.content.decode()
    assert commune_stock[0].imei in text and "10/09/2023" in text and "Lý Thị Mai" in text
    assert "<dd>3 / 2 / 0</dd>" in text  # members / adults / adults without a smartphone


def test_beneficiaries_never_imports_distribution():
    root = Path(__file__).resolve().parents[2] / "beneficiaries"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "distribution" for n in names), path
