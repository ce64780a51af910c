"""Legacy Vietnamese fonts: the conversion tables, detection cell by cell, NFC."""

import shutil
import subprocess
import unicodedata

import pytest

from beneficiaries.imports import normalise_rows, read_book
from beneficiaries.imports.encodings import (
    LETTERS,
    TCVN3,
    TCVN3_BYTES,
    UNICODE_TO_TCVN3,
    UNICODE_TO_VNI,
    VNI,
    Decoder,
    cell_char,
    from_tcvn3,
    from_vni,
    read_cell,
    to_tcvn3,
    to_vni,
)
from tests.beneficiaries import shapes

ALL_LETTERS = [c for letter in LETTERS for c in (letter, letter.upper())]


def test_every_vietnamese_letter_in_both_cases_and_every_tone_is_covered():
    # 12 vowels x 6 tones (bare vowels aside) + đ: 67 lower-case letters, 134 with capitals
    assert len(ALL_LETTERS) == 134
    assert set(ALL_LETTERS) <= set(UNICODE_TO_VNI) and set(ALL_LETTERS) <= set(UNICODE_TO_TCVN3)


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv is not installed")
def test_tcvn3_table_agrees_with_iconv_tcvn5712_1_for_every_byte():
    for byte, letter in TCVN3_BYTES.items():
        decoded = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([byte]),
                                 capture_output=True, check=True).stdout.decode()
        assert decoded == letter, hex(byte)


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv is not installed")
def test_tcvn3_encoding_of_the_alphabet_agrees_with_iconv():
    text = "".join(ALL_LETTERS)
    encoded = subprocess.run(["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=text.encode(),
                             capture_output=True, check=True).stdout
    assert "".join(cell_char(b) for b in encoded) == to_tcvn3(text)


@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_round_trip_of_every_letter(letter):
    word = f"B{letter}n" if letter.islower() else f"B{letter}N"
    assert from_tcvn3(to_tcvn3(word)) == word
    assert from_vni(to_vni(word)) == word


@pytest.mark.parametrize("letter", LETTERS)
def test_a_legacy_syllable_is_read_back_from_its_cell(letter):
    word = "B" + letter + "n"
    if letter == "đ":
        word = "Đan"
    for encode, kind in ((to_tcvn3, TCVN3), (to_vni, VNI)):
        cell = encode(f"Thôn {word} Hà")
        reading = read_cell(cell)
        assert reading[1] == f"Thôn {word} Hà" or (reading[0] == "?" and (kind, f"Thôn {word} Hà") in reading[2])


def test_round_trip_through_the_import_for_both_fonts():
    for encode in (to_tcvn3, to_vni):
        rows = [[encode(v) if isinstance(v, str) and not v.isdigit() else v for v in r]
                for r in [shapes.HEADER] + [shapes.row(i) for i in range(len(shapes.PEOPLE))]]
        staged, errors = normalise_rows(read_book(shapes._sheet(rows), "x.xlsx"))
        assert errors == [] and [r.name for r in staged] == [p[0] for p in shapes.PEOPLE]


def test_unicode_text_is_left_alone_and_made_nfc():
    grid = [["Hoàng Thu Hà", unicodedata.normalize("NFD", "Nguyễn Văn Đức"), "25°C", "café"]]
    Decoder().convert(grid)
    assert grid == [["Hoàng Thu Hà", "Nguyễn Văn Đức", "25°C", "café"]]


def test_an_ambiguous_cell_follows_its_row():
    # "Hoàng" is also VNI for "Hồng": beside VNI cells it is VNI, beside Unicode ones Unicode.
    grid = [[to_vni("Nguyễn Văn"), "Hoàng"], ["Nguyễn Văn", "Hoàng"]]
    Decoder().convert(grid)
    assert grid == [["Nguyễn Văn", "Hồng"], ["Nguyễn Văn", "Hoàng"]]


def test_garbled_cell_is_reported_with_the_likely_font():
    decoder = Decoder()
    garbled = decoder.convert([["N«ng Th§§ B¸ch¸"]])
    assert garbled == {1: [(0, "N«ng Th§§ B¸ch¸", TCVN3)]}


def test_a_csv_saved_from_a_tcvn3_list_is_converted():
    byte_of = {cell_char(b): b for b in range(256)}
    rows = [shapes.HEADER] + [shapes.row(i) for i in range(len(shapes.PEOPLE))]
    text = "\n".join(";".join(str(v) for v in r) for r in rows)
    data = bytes(byte_of[c] for c in to_tcvn3(text))
    staged, errors = normalise_rows(read_book(data, "ds.csv"))
    assert errors == [] and [r.name for r in staged] == [p[0] for p in shapes.PEOPLE]
