import pytest

from phocap.accounts.models import Role
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commune_official_sees_con_minh_and_is_refused_on_ba_be(phone_page, live_server, login, tree):
    member(tree.con_minh, Role.COMMUNE_OFFICIAL, "xa_conminh")
    page = login(phone_page, live_server, "xa_conminh")
    assert page.locator("h1").first.inner_text().startswith("Xin chào")
    assert "Xã Côn Minh" in page.content()
    response = page.goto(live_server.url + tree.ba_be.get_absolute_url())
    assert response.status == 403
    assert "Không có quyền truy cập" in page.content()
