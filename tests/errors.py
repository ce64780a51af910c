"""Asserting a refusal by its stable code, never by its wording."""

from contextlib import contextmanager

import pytest

from phocap.common.errors import DomainError


@contextmanager
def raises_code(code: str):
    """Like ``pytest.raises(DomainError)``, and the error carries ``code``."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, f"{info.value.code!r} != {code!r}: {info.value.message}"
