"""What PostgreSQL itself refuses in the registry, whoever writes (PostgreSQL only)."""

import pytest
from django.db import IntegrityError, transaction

from beneficiaries.models import Household

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.mark.parametrize("categories", [
    {"rich": 2023},  # not a category
    {"poor": "2023"},  # a year is a number
    ["poor"],  # an object, not a list
])
def test_database_refuses_unknown_categories(tree, categories):
    hh = Household.objects.create(commune=tree.con_minh, village=tree.ban_con, code="K1", head_name="Lò Văn K",
                                  categories={"poor": 2023}, priority_rank=1)
    with pytest.raises(IntegrityError, match="household_categories_known"), transaction.atomic():
        Household.objects.filter(pk=hh.pk).update(categories=categories)
    hh.refresh_from_db()
    assert hh.categories == {"poor": 2023}


def test_database_accepts_several_categories_with_or_without_a_year(tree):
    hh = Household.objects.create(commune=tree.con_minh, village=tree.ban_con, code="K2", head_name="Lò Văn K",
                                  categories={"poor": 2023, "policy": None}, priority_rank=1)
    hh.refresh_from_db()
    assert hh.categories == {"poor": 2023, "policy": None}
