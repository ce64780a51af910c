import pytest
from django.urls import reverse

from phocap.areas.errors import Code
from tests.errors import raises_code

pytestmark = pytest.mark.django_db


def test_district_officer_sees_own_district_and_communes(client_for, tree, users):
    client = client_for(users.district)
    assert client.get(tree.na_ri.get_absolute_url()).status_code == 200
    body = client.get(tree.con_minh.get_absolute_url()).content.decode()
    assert "Bản Còn" in body


def test_na_ri_officer_is_refused_on_ba_be(client_for, tree, users):
    client = client_for(users.district)
    for unit in (tree.ba_be, tree.thuong_giao, tree.tg_village, tree.bk):
        assert client.get(unit.get_absolute_url()).status_code == 403


def test_user_without_membership_is_refused_everywhere(client_for, tree):
    from tests.factories import UserFactory

    client = client_for(UserFactory())
    assert client.get(tree.con_minh.get_absolute_url()).status_code == 403


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(tree.con_minh.get_absolute_url())
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_unknown_unit_is_404(client_for, users):
    assert client_for(users.province).get("/don-vi/legacy/commune/99999/").status_code == 404


def test_subtree_and_ancestors_use_the_path(tree):
    from phocap.areas.models import AdminUnit

    assert set(AdminUnit.objects.subtree(tree.na_ri)) == {tree.na_ri, tree.con_minh, tree.kim_hy,
                                                         tree.ban_con, tree.na_phai}
    assert list(AdminUnit.objects.ancestors(tree.ban_con)) == [tree.bk, tree.na_ri, tree.con_minh]


def test_village_get_or_create_matches_spelling_variants(tree):
    from phocap.areas.services import village_get_or_create

    village, created = village_get_or_create(commune=tree.con_minh, name="BẢN  CÒN")
    assert village == tree.ban_con and not created
    new, created = village_get_or_create(commune=tree.con_minh, name="Thôn Nà Lẹng")
    assert created and new.parent == tree.con_minh and new.path.startswith(tree.con_minh.path)
    assert new.division_type == "thôn"


def test_village_needs_a_commune(tree):
    from phocap.areas.services import village_get_or_create

    with raises_code(Code.VILLAGE_PARENT_NOT_COMMUNE):
        village_get_or_create(commune=tree.na_ri, name="Bản X")
    with raises_code(Code.VILLAGE_NAME_REQUIRED):
        village_get_or_create(commune=tree.con_minh, name="   ")


def test_commune_official_adds_a_village(client_for, tree, users):
    client = client_for(users.commune)
    url = reverse("areas:village_create", args=["legacy", tree.con_minh.code])
    response = client.post(url, {"name": "Thôn Nà Lẹng"}, follow=True)
    assert "Đã thêm Thôn Nà Lẹng" in response.content.decode()
    assert tree.con_minh.children.filter(name="Thôn Nà Lẹng").exists()
    # The same name typed differently does not create a second village.
    client.post(url, {"name": "thon na leng"})
    assert tree.con_minh.children.filter(name_ascii="thon na leng").count() == 1


def test_village_creation_refused_outside_own_commune_and_for_auditors(client_for, tree, users):
    url = reverse("areas:village_create", args=["legacy", tree.thuong_giao.code])
    assert client_for(users.commune).post(url, {"name": "Bản Mới"}).status_code == 403
    assert client_for(users.auditor).post(url, {"name": "Bản Mới"}).status_code == 403
    assert not tree.thuong_giao.children.filter(name="Bản Mới").exists()


def test_empty_village_name_is_explained(client_for, tree, users):
    url = reverse("areas:village_create", args=["legacy", tree.con_minh.code])
    response = client_for(users.commune).post(url, {"name": ""}, follow=True)
    assert "Nhập tên thôn/bản" in response.content.decode()
