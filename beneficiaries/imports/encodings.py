"""Text typed in the old Vietnamese fonts, and one Unicode form.

Lists that have lived for years were typed with TCVN3 (ABC; the .VnTime fonts: one byte
per letter) or VNI (VNI-Times: a base letter followed by a mark character). Excel keeps
such text as the Windows-1252 characters of those bytes ("Bµn §øc Khëi" is "Bàn Đức
Khởi"; "Nguyeãn Vaên" is "Nguyễn Văn"). `Decoder` converts, cell by cell: a cell is read
as Unicode, TCVN3 or VNI by which reading gives Vietnamese syllables; a cell every
reading accepts ("Hoàng" is also VNI for "Hồng") follows its row, then its sheet. All
text leaves here in NFC. A cell with characters no Vietnamese text has and no reading
that makes sense is reported as garbled, naming the likely font.
"""

from __future__ import annotations

import re
import unicodedata

TCVN3 = "tcvn3"
VNI = "vni"
NAMES = {TCVN3: "TCVN3 (ABC, .VnTime)", VNI: "VNI (VNI-Times)"}

# TCVN 5712:1993 (VN1, a superset of the VN3 ".VnTime" fonts): byte → letter, as iconv's
# TCVN5712-1 decodes it (tests compare every byte). B0-B4 are combining tone marks.
TCVN3_BYTES: dict[int, str] = {
    0xA0: "\u00a0", 0xFD: "\u00fd",  # the two bytes TCVN3 shares with Windows-1252
    0x01: "\u00da", 0x02: "\u1ee4", 0x04: "\u1eea", 0x05: "\u1eec", 0x06: "\u1eee", 0x11: "\u1ee8", 0x12: "\u1ef0", 0x13: "\u1ef2",
    0x14: "\u1ef6", 0x15: "\u1ef8", 0x16: "\u00dd", 0x17: "\u1ef4", 0x80: "\u00c0", 0x81: "\u1ea2", 0x82: "\u00c3", 0x83: "\u00c1",
    0x84: "\u1ea0", 0x85: "\u1eb6", 0x86: "\u1eac", 0x87: "\u00c8", 0x88: "\u1eba", 0x89: "\u1ebc", 0x8A: "\u00c9", 0x8B: "\u1eb8",
    0x8C: "\u1ec6", 0x8D: "\u00cc", 0x8E: "\u1ec8", 0x8F: "\u0128", 0x90: "\u00cd", 0x91: "\u1eca", 0x92: "\u00d2", 0x93: "\u1ece",
    0x94: "\u00d5", 0x95: "\u00d3", 0x96: "\u1ecc", 0x97: "\u1ed8", 0x98: "\u1edc", 0x99: "\u1ede", 0x9A: "\u1ee0", 0x9B: "\u1eda",
    0x9C: "\u1ee2", 0x9D: "\u00d9", 0x9E: "\u1ee6", 0x9F: "\u0168", 0xA1: "\u0102", 0xA2: "\u00c2", 0xA3: "\u00ca", 0xA4: "\u00d4",
    0xA5: "\u01a0", 0xA6: "\u01af", 0xA7: "\u0110", 0xA8: "\u0103", 0xA9: "\u00e2", 0xAA: "\u00ea", 0xAB: "\u00f4", 0xAC: "\u01a1",
    0xAD: "\u01b0", 0xAE: "\u0111", 0xAF: "\u1eb0", 0xB0: "\u0300", 0xB1: "\u0309", 0xB2: "\u0303", 0xB3: "\u0301", 0xB4: "\u0323",
    0xB5: "\u00e0", 0xB6: "\u1ea3", 0xB7: "\u00e3", 0xB8: "\u00e1", 0xB9: "\u1ea1", 0xBA: "\u1eb2", 0xBB: "\u1eb1", 0xBC: "\u1eb3",
    0xBD: "\u1eb5", 0xBE: "\u1eaf", 0xBF: "\u1eb4", 0xC0: "\u1eae", 0xC1: "\u1ea6", 0xC2: "\u1ea8", 0xC3: "\u1eaa", 0xC4: "\u1ea4",
    0xC5: "\u1ec0", 0xC6: "\u1eb7", 0xC7: "\u1ea7", 0xC8: "\u1ea9", 0xC9: "\u1eab", 0xCA: "\u1ea5", 0xCB: "\u1ead", 0xCC: "\u00e8",
    0xCD: "\u1ec2", 0xCE: "\u1ebb", 0xCF: "\u1ebd", 0xD0: "\u00e9", 0xD1: "\u1eb9", 0xD2: "\u1ec1", 0xD3: "\u1ec3", 0xD4: "\u1ec5",
    0xD5: "\u1ebf", 0xD6: "\u1ec7", 0xD7: "\u00ec", 0xD8: "\u1ec9", 0xD9: "\u1ec4", 0xDA: "\u1ebe", 0xDB: "\u1ed2", 0xDC: "\u0129",
    0xDD: "\u00ed", 0xDE: "\u1ecb", 0xDF: "\u00f2", 0xE0: "\u1ed4", 0xE1: "\u1ecf", 0xE2: "\u00f5", 0xE3: "\u00f3", 0xE4: "\u1ecd",
    0xE5: "\u1ed3", 0xE6: "\u1ed5", 0xE7: "\u1ed7", 0xE8: "\u1ed1", 0xE9: "\u1ed9", 0xEA: "\u1edd", 0xEB: "\u1edf", 0xEC: "\u1ee1",
    0xED: "\u1edb", 0xEE: "\u1ee3", 0xEF: "\u00f9", 0xF0: "\u1ed6", 0xF1: "\u1ee7", 0xF2: "\u0169", 0xF3: "\u00fa", 0xF4: "\u1ee5",
    0xF5: "\u1eeb", 0xF6: "\u1eed", 0xF7: "\u1eef", 0xF8: "\u1ee9", 0xF9: "\u1ef1", 0xFA: "\u1ef3", 0xFB: "\u1ef7", 0xFC: "\u1ef9",
    0xFE: "\u1ef5", 0xFF: "\u1ed0",
}


def cell_char(byte: int) -> str:
    """The character a cell holds for a byte typed in a legacy font: Windows-1252 where it
    defines one, else the Latin-1 control character of that value."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_TCVN3_CHARS: dict[str, str] = {cell_char(b): u for b, u in TCVN3_BYTES.items()}

# VNI-Windows: the base letter, then one mark character (lower-case marks after lower-case
# letters, upper-case after upper-case); đ, ơ, ư and the toned i / ỵ are one character.
_VNI_TONES = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRCUMFLEX = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_SINGLE = {"đ": "ñ", "ơ": "ô", "ư": "ö", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}
_TONE_MARKS = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _vni_lower(letter: str) -> str | None:
    """VNI spelling of one lower-case Vietnamese letter (NFC), or None for a plain one."""
    if letter in _VNI_SINGLE:
        return _VNI_SINGLE[letter]
    parts = unicodedata.normalize("NFD", letter)
    base, marks = parts[0], parts[1:]
    tone = next((m for m in marks if m in _TONE_MARKS), "")
    shape = next((m for m in marks if m not in _TONE_MARKS), "")
    if base == "i" and tone:
        return _VNI_SINGLE[unicodedata.normalize("NFC", "i" + tone)]
    if base == "y" and tone == "\u0323":
        return "î"
    if shape == "\u031b":  # horn: ơ / ư then the tone
        return _VNI_SINGLE[unicodedata.normalize("NFC", base + shape)] + _VNI_TONES[tone]
    if shape == "\u0302":
        return base + _VNI_CIRCUMFLEX[tone]
    if shape == "\u0306":
        return base + _VNI_BREVE[tone]
    if tone:
        return base + _VNI_TONES[tone]
    return None


def _letters() -> list[str]:
    """Every Vietnamese letter with a mark, lower case (NFC)."""
    out = ["đ"]
    for base in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"):
        for tone in ("", *_TONE_MARKS):
            letter = unicodedata.normalize("NFC", base + tone)
            if letter != base or base not in "aeiouy":
                out.append(letter)
    return out


LETTERS = _letters()  # 7 shaped + 12 x 5 toned + đ = 67 lower-case letters
# Unicode letter → VNI spelling, both cases.
UNICODE_TO_VNI: dict[str, str] = {}
for _letter in LETTERS:
    _spelling = _vni_lower(_letter)
    if _spelling:
        UNICODE_TO_VNI[_letter] = _spelling
        UNICODE_TO_VNI[_letter.upper()] = _spelling.upper()
_VNI_TO_UNICODE = {v: k for k, v in UNICODE_TO_VNI.items()}
_VNI_LONGEST = sorted(_VNI_TO_UNICODE, key=len, reverse=True)
# One pass, longest spelling first ("ôù" is ớ, "ô" alone is ơ).
_VNI_PATTERN = re.compile("|".join(re.escape(s) for s in _VNI_LONGEST))
_VNI_SINGLES = {k: v for k, v in _VNI_TO_UNICODE.items() if len(k) == 1}
UNICODE_TO_TCVN3: dict[str, str] = {}
for _char, _u in _TCVN3_CHARS.items():
    if len(_u) == 1 and not unicodedata.combining(_u):
        UNICODE_TO_TCVN3.setdefault(_u, _char)


def to_vni(text: str) -> str:
    """Unicode → VNI cell text (tests and the corpus)."""
    return "".join(UNICODE_TO_VNI.get(c, c) for c in unicodedata.normalize("NFC", text))


def to_tcvn3(text: str) -> str:
    """Unicode → TCVN3 cell text (tests and the corpus); letters TCVN3 lacks stay as they are."""
    return "".join(UNICODE_TO_TCVN3.get(c, c) for c in unicodedata.normalize("NFC", text))


def from_tcvn3(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(_TCVN3_CHARS.get(c, c) for c in text))


def from_vni(text: str) -> str:
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: _VNI_TO_UNICODE[m.group(0)], text))


# ---- is it Vietnamese? ----------------------------------------------------------------

# Letters only Unicode Vietnamese has (no legacy cell holds them).
_UNICODE_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
                           "\u1ea0-\u1ef9]")
# Characters no Vietnamese word has: what legacy text is made of.
_VIET_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_MARKERS = re.compile("[" + "".join(
    re.escape(c) for c in {*(_TCVN3_CHARS), *"".join(_VNI_TO_UNICODE)} if not c.isascii() and c not in _VIET_LATIN1
) + "]")
_WORD = re.compile(r"[^\W\d_]+")
_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
_NUCLEUS = ("(?:iêu|yêu|oai|oay|oao|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|ai|ao|au|ay|âu|ây|eo|êu|ia|iu|iê|"
            "oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ưu|ươ|yê|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y)")
_CODA = "(?:ch|ng|nh|c|m|n|p|t)?"
_SYLLABLE = re.compile(f"{_ONSET}{_NUCLEUS}{_CODA}")


def _is_syllable(word: str) -> bool:
    """A Vietnamese syllable: onset, vowel nucleus, coda, one tone mark at most."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(decomposed.count(t) for t in _TONE_MARKS)
    if tones > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(base) is not None


def is_vietnamese(text: str) -> bool:
    """Every word with a non-ASCII letter is a Vietnamese syllable (ASCII words, numbers
    and abbreviations are neutral)."""
    if any(unicodedata.combining(c) for c in text):
        return False  # a mark left over that no letter takes
    return all(w.isascii() or _is_syllable(w) for w in _WORD.findall(text))


def likely_legacy(text: str) -> str:
    """The font a garbled cell was probably typed in (by its characters)."""
    tcvn = sum(1 for c in text if c in _TCVN3_CHARS and not c.isascii())
    vni = sum(1 for c in text if c in _VNI_SINGLES or c in "ùøûõïâáàåãäêéèúüë"
              or c in "ÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË")
    return VNI if vni > tcvn else TCVN3


def _in_words(text: str) -> bool:
    """A legacy character inside a word ("Bµn", "§øc"), not a symbol among figures
    ("25°C", "½")."""
    for token in text.split():
        if _MARKERS.search(token) and not any(c.isdigit() for c in token) and any(
                c.isalpha() and not _MARKERS.match(c) for c in token):
            return True
    return False


# A cell's reading: (kind, text, alternatives) where kind is "" (plain/Unicode), TCVN3,
# VNI, "?" (Unicode and a legacy reading both fit: its row, then its sheet decide; the
# alternatives are ((font, text), ...)) or "!" (garbled; the alternatives name the font).
def read_cell(text: str) -> tuple[str, str, tuple]:
    """(kind, as Unicode, alternatives)."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    marker = _MARKERS.search(text) is not None and _in_words(text)
    if not marker and _UNICODE_ONLY.search(text):
        return "", text, ()
    unicode_ok = not marker and is_vietnamese(text)
    tcvn = from_tcvn3(text) if all(c.isascii() or c in _TCVN3_CHARS for c in text) else None
    tcvn_ok = tcvn is not None and tcvn != text and is_vietnamese(tcvn)
    vni = from_vni(text)
    vni_ok = vni != text and not _MARKERS.search(vni) and is_vietnamese(vni)
    if unicode_ok:
        alternatives = tuple(a for a, ok in (((TCVN3, tcvn), tcvn_ok), ((VNI, vni), vni_ok)) if ok)
        return ("?", text, alternatives) if alternatives else ("", text, ())
    if tcvn_ok and not vni_ok:
        return TCVN3, tcvn, ()
    if vni_ok:
        return VNI, vni, ()
    if marker:
        return "!", text, (likely_legacy(text),)
    return "", text, ()


class Decoder:
    """Converts the text cells of a file's sheets in place and keeps a report.

    Every distinct text is read once (`read_cell`, cached: villages and categories
    repeat); a cell every reading fits follows its row's other cells, then its sheet's."""

    SAMPLES = 3

    def __init__(self):
        self.cache: dict[str, tuple[str, str, tuple]] = {}
        self.cells = {TCVN3: 0, VNI: 0}
        self.rows = 0
        self.samples: list[list[str]] = []

    @staticmethod
    def whole(text: str) -> str:
        """A whole text (a CSV file) read as the legacy font that fits it best."""
        tcvn, vni = from_tcvn3(text), from_vni(text)
        return tcvn if is_vietnamese(tcvn) or not is_vietnamese(vni) else vni

    def convert(self, grid: list[list], *, sheet: str = "") -> dict[int, list[tuple[int, str, str]]]:
        """Convert the grid's text cells to NFC Unicode; returns the garbled cells by
        Excel row: [(column index, text as typed, likely font)]."""
        cache = self.cache
        get = cache.get
        counts = {"": 0, TCVN3: 0, VNI: 0}
        plain = 0
        pending: list[tuple[int, int, tuple[str, str, tuple]]] = []
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                # 1.4M cells per 100k rows: plain locals, one test for the usual cell.
                if v.__class__ is not str or v.isascii():
                    continue
                reading = get(v)
                if reading is None:
                    reading = cache[v] = read_cell(v)
                if not reading[0]:
                    plain += 1
                    if reading[1] is not v:
                        row[j] = reading[1]  # NFC
                    continue
                kind = reading[0]
                if kind in counts:
                    counts[kind] += 1
                pending.append((i, j, reading))
        counts[""] = plain
        garbled: dict[int, list[tuple[int, str, str]]] = {}
        touched: set[int] = set()
        if not counts[TCVN3] and not counts[VNI]:
            # No cell of the sheet is plainly legacy: ambiguous cells are Unicode ("Nà Phai",
            # "Nùng" in a Unicode list); only NFC and garbled cells are left to do.
            for i, j, (kind, text, other) in pending:
                if kind == "!":
                    garbled.setdefault(i + 1, []).append((j, grid[i][j], other[0]))
                elif text is not grid[i][j]:
                    grid[i][j] = text  # NFC
            return garbled
        # What the other cells of a row with an ambiguous cell say, before any is converted.
        evidence = {i: self._row_evidence(grid[i]) for i, _j, reading in pending if reading[0] == "?"}
        for i, j, (kind, text, other) in pending:
            before = grid[i][j]
            if kind == "!":
                garbled.setdefault(i + 1, []).append((j, before, other[0]))
                continue
            if kind == "?":
                # The reading the row's other cells use, else the sheet's; Unicode on a tie.
                row_kinds = evidence[i]
                weights = row_kinds if any(row_kinds.values()) else counts
                best = max(other, key=lambda alt: weights[alt[0]])
                if weights[best[0]] <= weights[""]:
                    if text is not before:
                        grid[i][j] = text
                    continue
                kind, text = best
            grid[i][j] = text
            self.cells[kind] += 1
            touched.add(i)
            if len(self.samples) < self.SAMPLES and [before, text] not in self.samples:
                self.samples.append([before, text])
        self.rows += len(touched)
        return garbled

    def _row_evidence(self, row: list) -> dict[str, int]:
        kinds = {"": 0, TCVN3: 0, VNI: 0}
        for v in row:
            if v.__class__ is str and not v.isascii():
                kind = self.cache.get(v, ("",))[0]
                if kind in kinds:
                    kinds[kind] += 1
        return kinds

    def report(self) -> dict:
        if not (self.cells[TCVN3] or self.cells[VNI]):
            return {}
        return {TCVN3: self.cells[TCVN3], VNI: self.cells[VNI], "rows": self.rows, "samples": self.samples}
