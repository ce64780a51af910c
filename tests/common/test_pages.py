import pytest
from django.urls import reverse

from phocap.common.formatting import format_date, format_vnd

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_by_default_even_for_english_browsers(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="vi"' in body
    assert "Đăng nhập" in body and "Mật khẩu" in body


def test_language_switch_gives_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="en"' in body
    assert "Password" in body and "Log in" in body


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_home_shows_the_users_units_and_programmes(client_for, users, programme):
    body = client_for(users.commune).get(reverse("home")).content.decode()
    assert "Xã Côn Minh" in body
    assert programme.name in body
    assert "Xã Thượng Giáo" not in body


def test_home_of_user_without_membership_explains_why_it_is_empty(client_for, tree):
    from tests.factories import UserFactory

    body = client_for(UserFactory()).get(reverse("home")).content.decode()
    assert "chưa được phân quyền" in body


def test_healthz_reports_database_and_broker(client, settings):
    from phocap.common import heartbeat

    heartbeat.record("worker")
    heartbeat.record("beat")
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["database"] == "ok" and data["cache"] == "ok" and data["status"] == "ok"
    assert data["broker"] == ("ok" if settings.CELERY_BROKER_URL else "eager")


def test_healthz_is_not_ready_when_the_cache_does_not_answer(client, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "set", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error: ConnectionError" and response.json()["status"] == "error"


def test_static_assets_are_local_only(client_for, users):
    body = client_for(users.province).get(reverse("home")).content.decode()
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body


def test_money_and_dates_are_formatted_the_vietnamese_way():
    import datetime

    from django.utils import translation

    with translation.override("vi"):
        assert format_vnd(405_000_000) == "405.000.000 ₫"
    with translation.override("en"):
        assert format_vnd(405_000_000) == "405,000,000 ₫"
    assert format_date(datetime.date(2023, 8, 31)) == "31/08/2023"


def test_percentages_follow_the_language_like_the_numbers_beside_them():
    """No "2,7%" next to "784,500,000" on an English page."""
    from django.utils import translation

    from phocap.common.formatting import format_number, format_percent

    with translation.override("vi"):
        assert (format_number(784_500_000), format_percent(0.027)) == ("784.500.000", "2,7%")
    with translation.override("en"):
        assert (format_number(784_500_000), format_percent(0.027)) == ("784,500,000", "2.7%")
    assert format_percent(None) == "—"


def test_failed_logins_are_throttled(client, users, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "xa_conminh", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post(url, {"username": "xa_conminh", "password": "phocap-test-pw"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "Tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_correct_password_logs_in(client, users):
    response = client.post(reverse("accounts:login"), {"username": "xa_conminh", "password": "phocap-test-pw"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users.commune.pk)


def test_api_schema_is_served(client_for, users):
    response = client_for(users.province).get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content


def test_pagination_links_keep_the_filters_and_change_only_the_page(rf):
    from django.template.loader import render_to_string

    from phocap.common.pagination import paginate

    request = rf.get("/ho-gia-dinh/", {"q": "Bản Còn & Nà Phai", "status": "active", "page": "2"})
    html = render_to_string("_pagination.html", {"page_obj": paginate(request, list(range(120)))}, request=request)
    assert "?q=B%E1%BA%A3n+C%C3%B2n+%26+N%C3%A0+Phai&amp;status=active&amp;page=1" in html
    assert "?q=B%E1%BA%A3n+C%C3%B2n+%26+N%C3%A0+Phai&amp;status=active&amp;page=3" in html
    assert "Trang 2/3" in html or "Page 2/3" in html


def test_document_dates_follow_the_administrative_style():
    import datetime

    from phocap.common.formatting import format_document_date

    assert format_document_date(datetime.date(2023, 9, 5)) == "ngày 05 tháng 9 năm 2023"
    assert format_document_date(datetime.date(2024, 2, 15)) == "ngày 15 tháng 02 năm 2024"
    assert format_document_date(datetime.date(2023, 12, 31)) == "ngày 31 tháng 12 năm 2023"
    # A moment is dated in Vietnam: 31/8 20:00 UTC is already 1/9 in Hà Nội.
    late = datetime.datetime(2023, 8, 31, 20, 0, tzinfo=datetime.UTC)
    assert format_document_date(late) == "ngày 01 tháng 9 năm 2023"


def test_api_schema_needs_login(client, users):
    # The schema names every endpoint and field (security probe: it was open to anyone).
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(users.auditor)
    assert client.get("/api/schema/").status_code == 200
