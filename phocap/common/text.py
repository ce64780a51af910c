"""Text helpers shared by every app: folding Vietnamese for search and matching."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def _fold_slow(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


# Precomposed Latin letters (every Vietnamese letter) → their base letter, so the common
# case is one str.translate: imports fold hundreds of thousands of cells.
_FOLD_TABLE = {
    cp: folded for cp in range(0xC0, 0x1F00)
    if (folded := _fold_slow(chr(cp))).isascii() and len(folded) == 1
}


def fold(value) -> str:
    """Lowercase, strip diacritics (đ → d too) and collapse spaces.

    "Họ và TÊN  chủ hộ" → "ho va ten chu ho". Used for search without diacritics
    and for matching spreadsheet headers and values typed in many ways.
    """
    if not value:
        return ""
    text = str(value).translate(_FOLD_TABLE)
    if not text.isascii():  # combining marks or other scripts: the full Unicode path
        text = _fold_slow(text)
    return _SPACES.sub(" ", text).strip().lower()
