"""Throttles of the public pages (no login): a count per client address in the cache."""

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address. Behind PHOCAP_TRUSTED_PROXIES proxies, the address the
    outermost trusted proxy saw (X-Forwarded-For counted from the right, so a client
    cannot pick its own address by sending the header); else the connection's."""
    hops = settings.PHOCAP_TRUSTED_PROXIES
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def over_limit(request, *, scope: str, limit: int, window_s: int) -> bool:
    """Count this request for its client; True once the client made more than `limit`
    requests of `scope` within `window_s` seconds."""
    key = f"throttle:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=window_s)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_s)
        count = 1
    return count > limit
