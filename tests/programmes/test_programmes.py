import datetime

import pytest

from phocap.programmes.errors import Code
from phocap.programmes.services import programme_create, programme_set_target
from tests.errors import raises_code

pytestmark = pytest.mark.django_db


def test_programme_defaults_to_two_million_per_phone(tree):
    p = programme_create(name="Phổ cập ĐTTM", province=tree.bk, start_date=datetime.date(2023, 8, 11))
    assert p.default_phone_price_vnd == 2_000_000
    assert p.scheme == "legacy"


def test_programme_must_belong_to_a_province(tree):
    with raises_code(Code.PROVINCE_REQUIRED):
        programme_create(name="X", province=tree.na_ri, start_date=datetime.date(2023, 1, 1))


def test_programme_end_before_start_is_refused(tree):
    with raises_code(Code.END_BEFORE_START):
        programme_create(name="X", province=tree.bk, start_date=datetime.date(2023, 8, 1),
                         end_date=datetime.date(2023, 7, 1))


def test_target_must_be_a_commune_of_the_province(programme, tree):
    with raises_code(Code.COMMUNE_OUTSIDE_PROVINCE):
        programme_set_target(programme=programme, commune=tree.tn_commune, baseline_adults=10)
    with raises_code(Code.COMMUNE_OUTSIDE_PROVINCE):
        programme_set_target(programme=programme, commune=tree.na_ri, baseline_adults=10)
    target = programme_set_target(programme=programme, commune=tree.kim_hy, baseline_adults=300)
    assert target.target == 300 and programme.baseline_total == 520 + 480 + 300


def test_programme_page_scoped_to_province(client_for, users, programme):
    assert client_for(users.commune).get(programme.get_absolute_url()).status_code == 200
    assert client_for(users.tn_staff).get(programme.get_absolute_url()).status_code == 404


def test_api_lists_only_visible_programmes(client_for, users, programme):
    data = client_for(users.district).get("/api/v1/programmes/").json()
    assert [p["id"] for p in data["results"]] == [programme.pk]
    data = client_for(users.tn_staff).get("/api/v1/programmes/").json()
    assert data["results"] == []
    assert client_for(users.tn_staff).get(f"/api/v1/programmes/{programme.pk}/").status_code == 404


def test_api_accepts_token_authentication(client, users, programme):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users.district)
    response = client.get("/api/v1/programmes/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert client.get("/api/v1/programmes/").status_code in (401, 403)
