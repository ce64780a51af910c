"""The priority list: categories, then adults without a smartphone, recipients last."""

import datetime

import pytest

from beneficiaries.models import Household
from beneficiaries.selectors import priority_list, registry
from distribution.models import Device, Handout
from tests.beneficiaries import corpus
from tests.factories import make_procurement


@pytest.fixture
def households(tree, run_import):
    run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    return {h.head_name: h for h in Household.objects.all()}


def _handout(programme, household, commune):
    """A phone handed out (rows written directly: only the order matters here)."""
    purchase = make_procurement(programme, commune, quantity=1, unit_price_vnd=1_500_000)
    device = Device.objects.create(imei="490154203237518", programme=programme, source_procurement=purchase,
                                         status="handed_out", holder_unit=commune)
    return Handout.objects.create(
        programme=programme, household=household, person=household.people.first(), device=device,
        commune=commune, recipient_name=household.head_name, recipient_citizen_id=household.head_citizen_id,
        handed_out_on=datetime.date(2023, 10, 1))


def test_order_by_category_then_adults_without_phone(tree, programme, households):
    names = [h.head_name for h in priority_list(commune=tree.con_minh, programme=programme)]
    assert names == ["Hoàng Văn An", "Nông Thị Bích", "Lý Văn Cường", "Đàm Thị Dung"]
    # Within a category, more adults without a smartphone first.
    dung = households["Đàm Thị Dung"]
    Household.objects.filter(pk=households["Lý Văn Cường"].pk).update(priority_rank=4, adults_without_phone=1)
    Household.objects.filter(pk=dung.pk).update(adults_without_phone=2)
    names = [h.head_name for h in priority_list(commune=tree.con_minh, programme=programme)]
    assert names[-2:] == ["Đàm Thị Dung", "Lý Văn Cường"]


def test_village_filter_and_inactive_households_left_out(tree, programme, households):
    Household.objects.filter(pk=households["Nông Thị Bích"].pk).update(status="moved")
    names = [h.head_name for h in priority_list(commune=tree.con_minh, programme=programme, village=tree.ban_con)]
    assert names == ["Hoàng Văn An"]


def test_households_that_received_a_phone_go_last(tree, programme, households, users):
    _handout(programme, households["Hoàng Văn An"], tree.con_minh)
    names = [h.head_name for h in priority_list(commune=tree.con_minh, programme=programme)]
    assert names[-1] == "Hoàng Văn An"
    received = registry(user=users.commune, received="yes", programme=programme)
    assert [h.head_name for h in received] == ["Hoàng Văn An"]
    assert registry(user=users.commune, received="no", programme=programme).count() == 3


def test_paged_reading_keeps_the_order_of_the_single_query(tree, programme, households, django_assert_max_num_queries):
    """PriorityList reads the waiting households and the served ones separately; pages,
    counts and the export's iteration give exactly the single query's order."""
    from django.core.paginator import Paginator

    from beneficiaries.selectors import PriorityList
    from tests.factories import make_household

    for i in range(7):
        make_household(tree.con_minh, f"Hộ thêm {i}", rank=1 + i % 4, village=tree.ban_con)
    _handout(programme, households["Hoàng Văn An"], tree.con_minh)
    expected = [h.pk for h in priority_list(commune=tree.con_minh, programme=programme)]
    paged = PriorityList(commune=tree.con_minh, programme=programme)
    assert paged.count() == len(expected) == 11
    assert [h.pk for h in paged] == expected
    pages = Paginator(paged, 4)
    seen = []
    for number in pages.page_range:
        rows = list(pages.page(number))
        seen += [h.pk for h in rows]
    assert seen == expected
    assert [h.received for h in paged][-1] is True and not any(h.received for h in list(paged)[:-1])
    with django_assert_max_num_queries(6):  # two counts; ids and rows of each half at the seam
        list(Paginator(PriorityList(commune=tree.con_minh, programme=programme), 10).page(2))
    by_village = PriorityList(commune=tree.con_minh, programme=programme, village=tree.ban_con)
    assert [h.pk for h in by_village] == [
        h.pk for h in priority_list(commune=tree.con_minh, programme=programme, village=tree.ban_con)]
