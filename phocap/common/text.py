"""Text helpers shared by every app: folding Vietnamese for search and matching."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str | None) -> str:
    """Lowercase, strip diacritics (đ → d too) and collapse spaces.

    "Họ và TÊN  chủ hộ" → "ho va ten chu ho". Used for search without diacritics
    and for matching spreadsheet headers and values typed in many ways.
    """
    if not value:
        return ""
    text = str(value).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text).strip().lower()
