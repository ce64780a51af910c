"""Strict readers for settings taken from the environment.

django-environ reads ``"10   # comment"`` as a string and ``bool("yes please")`` as
False; a typo then surfaces far from its cause (a 500 on the first page, a health check
that never passes). These readers refuse a malformed value at start-up with a message
naming the variable.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _refuse(name: str, value: str, expected: str) -> ImproperlyConfigured:
    hint = " (inline comments are not allowed in .env files)" if "#" in value else ""
    return ImproperlyConfigured(f"{name}={value!r} is not valid: expected {expected}{hint}.")


def env_bool(name: str, *, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise _refuse(name, value, "1 or 0 (true/false, yes/no, on/off)")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _refuse(name, value, "a whole number") from None
    if number < minimum:
        raise _refuse(name, value, f"a whole number ≥ {minimum}")
    return number


def env_str(name: str, *, default: str = "") -> str:
    value = _raw(name)
    if value is None:
        return default
    if " #" in value or "\t#" in value:
        raise _refuse(name, value, "a single value")
    return value


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if any(ch.isspace() for ch in item) or "#" in item:
            raise _refuse(name, value, "comma-separated values without spaces")
    return items


def env_choice(name: str, *, default: str, choices: set[str]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value.upper() not in choices:
        raise _refuse(name, value, "one of " + ", ".join(sorted(choices)))
    return value.upper()
