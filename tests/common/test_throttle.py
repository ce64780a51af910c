"""Public pages throttle per client: behind the TLS proxy every request comes from the
proxy's address, so the client is read from X-Forwarded-For, counted from the right."""

from django.test import RequestFactory

from phocap.common.throttle import client_address, over_limit

PROXY = "10.0.0.2"


def _request(forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=PROXY, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.PHOCAP_TRUSTED_PROXIES = 0
    assert client_address(_request("203.0.113.7")) == PROXY


def test_behind_one_proxy_the_address_it_saw_counts(settings):
    settings.PHOCAP_TRUSTED_PROXIES = 1
    assert client_address(_request("203.0.113.7")) == "203.0.113.7"
    # A client that sends its own header cannot choose: the proxy appended the real one.
    assert client_address(_request("198.51.100.1, 203.0.113.7")) == "203.0.113.7"
    assert client_address(_request()) == PROXY  # no header: the connection's address


def test_two_clients_behind_the_proxy_have_their_own_limits(settings):
    settings.PHOCAP_TRUSTED_PROXIES = 1
    first, second = _request("203.0.113.7"), _request("203.0.113.8")
    assert [over_limit(first, scope="t", limit=2, window_s=60) for _ in range(3)] == [False, False, True]
    assert not over_limit(second, scope="t", limit=2, window_s=60)
    assert not over_limit(first, scope="other", limit=2, window_s=60)  # scopes count apart
