"""The look-up code printed on an acknowledgement letter.

12 characters from a 31-letter alphabet without look-alikes (no 0/O, 1/I/L): about 59
bits, drawn with `secrets`, so codes cannot be guessed or enumerated from an id.
"""

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
_FORM = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(raw: str | None) -> str | None:
    """The code as stored, from what a donor typed or scanned ("abcd-efgh-jkmn"); None when
    it cannot be a code (the caller answers 404 without touching the database)."""
    code = re.sub(r"[\s\-.]", "", raw or "").upper()
    return code if _FORM.match(code) else None


QR_SCALE, QR_BORDER = 4, 2


def qr_data_uri(url: str) -> str:
    """The URL as a QR code, a PNG data URI a PDF embeds (no file, no network); a bitmap
    rather than SVG so the printed modules stay crisp and a test can read it back."""
    import segno

    return segno.make(url, error="m").png_data_uri(scale=QR_SCALE, border=QR_BORDER)
