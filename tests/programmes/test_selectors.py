"""The one programme picker every page uses."""

import datetime

import pytest

from phocap.programmes.selectors import pick_programme
from tests.factories import ProgrammeFactory, add_target

pytestmark = pytest.mark.django_db


def test_a_requested_programme_only_when_the_user_sees_it(programme, tree, users):
    other = ProgrammeFactory(province=tree.tn, name="Thái Nguyên")
    assert pick_programme(users.commune, pk=str(programme.pk)) == programme
    assert pick_programme(users.commune, pk=other.pk) is None  # another province: as if absent
    assert pick_programme(users.commune, pk="1 OR 1=1") is None
    assert pick_programme(users.tn_staff, pk=other.pk) == other


def test_the_programme_targeting_the_commune_before_a_newer_one_elsewhere(programme, tree, users):
    newer = ProgrammeFactory(province=tree.bk, name="Bắc Kạn 2024", start_date=datetime.date(2024, 1, 1))
    add_target(newer, tree.kim_hy, 100)
    assert pick_programme(users.province, commune=tree.con_minh) == programme
    assert pick_programme(users.province, commune=tree.kim_hy) == newer
    assert pick_programme(users.province) == newer  # no commune: the newest
    assert pick_programme(users.province, fallback=False) is None  # "all programmes"


def test_hand_outs_happen_only_in_a_running_programme(programme, tree, users):
    assert pick_programme(users.commune, commune=tree.con_minh, running=True, fallback=False) == programme
    programme.status = "closed"  # is_active follows the status
    programme.save()
    assert pick_programme(users.commune, commune=tree.con_minh, running=True, fallback=False) is None
    assert pick_programme(users.commune, commune=tree.con_minh) == programme  # still readable
