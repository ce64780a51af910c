"""Cell parsers: one data row of the table → a `StagedRow` or errors named by the Excel
row number and the header as written in the file. An error holds a code and the cell as
typed (`beneficiaries.messages` words it in the reader's language when shown)."""

from __future__ import annotations

import datetime
import re
from typing import NamedTuple

import phonenumbers

from phocap.common.grids import cell_text, whole_number

from ..citizen_ids import check_id, clean_id
from ..errors import Code
from ..models import Sex
from .encodings import NAMES
from .reading import Book, Table
from .vocabulary import categories_in, column_labels, fold_cached


class StagedRow(NamedTuple):
    """One valid row of the file, as the merge writes it (a tuple underneath: 100k of them
    are held and pickled). `kind` is the ID's kind as check_id read it; the merge derives
    the head's kind in SQL from the same ID. None means "keep the registry's value"."""

    row: int  # Excel row number
    code: str
    name: str
    citizen_id: str | None
    kind: str
    birth: int | None
    sex: str | None
    ethnicity: str | None
    village: str
    members: int | None
    adults: int | None
    adults_without_phone: int | None
    phone: str | None
    address: str | None
    notes: str | None
    categories: tuple  # ((category, year or None), ...)
    sheet: str = ""  # the sheet's name in a workbook of several lists


_SEX = {"nam": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE, "1": Sex.MALE,
        "nu": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE, "0": Sex.FEMALE, "x": Sex.FEMALE}
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


_PHONE_JUNK = re.compile(r"[^\d+]")
# Vietnamese mobile and fixed-line numbers as phonenumbers' metadata defines them (the
# patterns is_valid_number uses for region VN), compiled once: 100k phones per file.
_VN_PHONE = phonenumbers.PhoneMetadata.metadata_for_region("VN")
_NATIONAL_OK = re.compile("(?:%s)|(?:%s)" % (_VN_PHONE.mobile.national_number_pattern,  # noqa: UP031
                                             _VN_PHONE.fixed_line.national_number_pattern))
# A memoised cell that failed validation (None is a valid result).
_BAD = object()


def _cell(value):
    """None for an empty or whitespace-only cell, else the value."""
    return None if value == "" or (value.__class__ is str and value.isspace()) else value


_text = cell_text


def _birth_year(value, this_year: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        year = value.year
    elif isinstance(value, int | float) and not isinstance(value, bool):
        year = int(value)
    else:
        text = str(value).strip()
        m = _DATE_TEXT.match(text)
        if m:
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            datetime.date(year, month, day)  # ValueError for 31/02
        elif text.isdigit() and len(text) == 4:
            year = int(text)
        else:
            raise ValueError
    if not (1900 <= year <= this_year):
        raise ValueError
    return year


def _phone(value) -> str | None:
    """The number in its national form ("0912345671") from +84, 84, 0, spaces, dots and
    dashes, or None when it is not a Vietnamese phone number."""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    digits = str(value).strip()
    if not (digits.isdigit() and digits.isascii()):  # bare 0-9 digits (most cells): nothing to strip
        digits = _PHONE_JUNK.sub("", digits)
    if digits.startswith("+"):
        if not digits.startswith("+84"):
            return None
        national = digits[3:]
    elif digits.startswith("0084"):
        national = digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        national = digits[2:]
    else:
        national = digits
    national = national[1:] if national.startswith("0") else national  # "+84 0912…": the trunk 0 too
    if "+" in national or not _NATIONAL_OK.fullmatch(national):
        return None
    return "0" + national


def _categories(value, year_value, this_year: int) -> tuple[tuple, tuple]:
    """(((category, year), ...), ((column key, code, params), ...)) for the category and year cells."""
    problems = []
    cats, unknown = categories_in(_cell(value))
    if unknown:
        problems.append(("category", Code.ROW_CATEGORY_UNKNOWN, {"v": ", ".join(unknown)}))
    elif not cats:
        problems.append(("category", Code.ROW_CATEGORY_MISSING, None))
    year_value = _cell(year_value)
    if year_value is not None:
        try:
            year = whole_number(year_value)
            if not (1990 <= year <= this_year + 1):
                raise ValueError
            cats = tuple((c, y or year) for c, y in cats)
        except (ValueError, TypeError):
            problems.append(("category_year", Code.ROW_CATEGORY_YEAR_INVALID, None))
    return cats, tuple(problems)


_COUNT_KEYS = ("members", "adults", "adults_without_phone")


def _counts(*cells) -> tuple:
    """(members, adults, adults_without_phone, ((column key, code, params), ...)) for the three cells."""
    numbers, problems = [], []
    for key, value in zip(_COUNT_KEYS, cells, strict=True):
        value = _cell(value)
        try:
            number = whole_number(value)
            if number is not None and not (0 <= number <= 99):
                raise ValueError
        except (ValueError, TypeError):
            problems.append((key, Code.ROW_COUNT_INVALID, {"v": _text(value)}))
            number = None
        numbers.append(number)
    members, adults, awp = numbers
    if members is not None and members < 1:
        problems.append(("members", Code.ROW_MEMBERS_ZERO, None))
    if adults is not None and members is not None and adults > members:
        problems.append(("adults", Code.ROW_ADULTS_OVER_MEMBERS, {"a": adults, "m": members}))
    if awp is not None and adults is not None and awp > adults:
        problems.append(("adults_without_phone", Code.ROW_WITHOUT_PHONE_OVER_ADULTS, {"w": awp, "a": adults}))
    return members, adults, awp, tuple(problems)


_ROW_KEYS = ("head_name", "code", "birth", "sex", "citizen_id", "village", "category", "category_year",
             "members", "adults", "adults_without_phone", "phone", "address", "notes", "ethnicity",
             "birth_male", "birth_female")


def normalise_rows(source: Table | Book, *, progress=None) -> tuple[list[StagedRow], list[dict]]:
    """(staged rows, errors) of a table or of every table of a book. Each error is
    {"sheet", "row", "column", "code", "params"}; params quote the cell as typed
    (`phocap.common.messages.error_text` words it when shown)."""
    tables = source.tables if isinstance(source, Book) else [source]
    this_year = datetime.date.today().year
    # Sexes, villages, categories, counts, birth years and ethnicities repeat a few values:
    # each distinct cell is checked once. Keys carry the class so 1, 1.0 and True stay apart
    # (a str is its own key: it never equals a tuple).
    births: dict = {}
    sexes: dict = {}
    villages: dict = {}
    categories: dict = {}
    counts: dict = {}
    ethnicities: dict = {}
    id_checks: dict = {}

    staged: list[StagedRow] = []
    errors: list[dict] = []
    seen_codes: dict[str, tuple[str, int]] = {}
    seen_ids: dict[str, tuple[str, int]] = {}
    done = 0
    for table in tables:
        sheet = table.sheet
        labels = column_labels(table)

        def err(key, code, params=None, sheet=sheet, labels=labels):
            # row_no: the row the loop below is on when this is called.
            errors.append({"sheet": sheet, "row": row_no,  # noqa: B023 - the current row, on purpose
                           "column": labels[key], "code": str(code), "params": params})

        def seen_at(where, sheet=sheet) -> dict:
            if where[0] == sheet:
                return {"code": str(Code.ROW_AT), "params": {"r": where[1]}}
            return {"code": str(Code.ROW_AT_SHEET), "params": {"r": where[1], "s": where[0]}}

        cols = table.columns
        width = max(cols.values()) + 1
        # Column indexes resolved once; a column the file lacks (-1) reads a None appended to the row.
        indexes = [cols.get(k, -1) for k in _ROW_KEYS]
        (j_name, j_code, j_birth, j_sex, j_cid, j_village, j_cat, j_year, j_members, j_adults, j_awp,
         j_phone, j_address, j_notes, j_ethnicity, j_birth_male, j_birth_female) = indexes
        absent = -1 in indexes
        has_cid = "citizen_id" in cols
        by_sex_columns = j_birth_male >= 0 or j_birth_female >= 0
        garbled = table.garbled
        field_of = {j: k for k, j in cols.items()}

        for n, (row_no, values) in enumerate(table.rows, start=done + 1):
            if progress and n % 10_000 == 0:
                progress(n)
            if len(values) < width:  # csv rows may be short
                values = list(values) + [None] * (width - len(values))
            if absent:
                values = [*values, None]
            errors_before = len(errors)
            if garbled and row_no in garbled:
                for j, typed, likely in garbled[row_no]:
                    if j in field_of:
                        key = field_of[j]
                        err(key if key in labels else "head_name", Code.ROW_CELL_GARBLED,
                            {"v": typed, "font": NAMES[likely]})
            if by_sex_columns:
                # The national form: the birth year under "Nam" or "Nữ" gives the sex too.
                male, female = _cell(values[j_birth_male]), _cell(values[j_birth_female])
                if male is not None and female is None:
                    birth_cell, form_sex = male, Sex.MALE
                elif female is not None and male is None:
                    birth_cell, form_sex = female, Sex.FEMALE
                else:
                    birth_cell, form_sex = (male if male is not None else female), None
                # Appended before a None, so absent columns (-1) still read None.
                values = [*values, birth_cell, form_sex, None]
                j_birth, j_sex_from_form = len(values) - 3, len(values) - 2
                if j_sex < 0:
                    j_sex = j_sex_from_form

            v = values[j_name]
            name = " ".join(v.split()) if v.__class__ is str else _text(v)
            if not name:
                err("head_name", Code.ROW_NAME_MISSING)
            elif len(name) > 120:
                err("head_name", Code.ROW_NAME_TOO_LONG)
            v = values[j_code]
            code = " ".join(v.split()) if v.__class__ is str else _text(v)
            if len(code) > 40:
                err("code", Code.ROW_CODE_TOO_LONG)

            v = values[j_birth]
            try:
                birth = births[v.__class__, v]
            except KeyError:
                try:
                    birth = _birth_year(_cell(v), this_year)
                except (ValueError, TypeError):
                    birth = _BAD
                births[v.__class__, v] = birth
            if birth is _BAD:
                birth = None
                err("birth", Code.ROW_BIRTH_INVALID, {"v": _text(_cell(v))})

            v = values[j_sex]
            key = v if v.__class__ is str else (v.__class__, v)
            try:
                sex = sexes[key]
            except KeyError:
                raw = _cell(v)
                sex = sexes[key] = None if raw is None else (_SEX.get(fold_cached(raw)) or _BAD)
            if sex is _BAD:
                sex = None
                err("sex", Code.ROW_SEX_INVALID, {"v": _text(v)})

            cid, kind = "", ""
            raw_id = values[j_cid]
            if raw_id == "" or (raw_id.__class__ is str and raw_id.isspace()):
                raw_id = None
            if raw_id is not None:
                if raw_id.__class__ is str and raw_id.isdigit() and raw_id.isascii():
                    cid = raw_id  # bare 0-9 digits: clean_id would return them unchanged
                else:
                    cid = clean_id(raw_id)
                if cid.isdigit() and cid.isascii():
                    # check_id reads only the length, the first 6 digits, the birth year and
                    # the sex: checked once per combination (~100k distinct IDs, a few
                    # thousand combinations).
                    key = (len(cid), cid[:6], birth, sex)
                    try:
                        kind, problem = id_checks[key]
                    except KeyError:
                        kind, problem = id_checks[key] = check_id(cid, birth_year=birth, sex=sex or "")
                else:
                    kind, problem = check_id(cid, birth_year=birth, sex=sex or "")
                if problem:
                    err("citizen_id", Code.ROW_ID_INVALID, {"v": _text(raw_id), "problem": problem})
            if not code and not cid:
                err("citizen_id" if has_cid else "code", Code.ROW_NEEDS_CODE_OR_ID)

            v = values[j_village]
            key = v if v.__class__ is str else (v.__class__, v)
            try:
                village = villages[key]
            except KeyError:
                village = villages[key] = _text(v)
            if not village:
                err("village", Code.ROW_VILLAGE_MISSING)
            elif len(village) > 100:
                err("village", Code.ROW_VILLAGE_TOO_LONG)

            v, y = values[j_cat], values[j_year]
            key = (v.__class__, v, y.__class__, y)
            try:
                cats, problems = categories[key]
            except KeyError:
                cats, problems = categories[key] = _categories(v, y, this_year)
            if problems:
                for k, why, params in problems:  # not `code`: the row's household code is read below
                    err(k, why, params)

            v, a, w = values[j_members], values[j_adults], values[j_awp]
            key = (v.__class__, v, a.__class__, a, w.__class__, w)
            try:
                members, adults, awp, problems = counts[key]
            except KeyError:
                members, adults, awp, problems = counts[key] = _counts(v, a, w)
            if problems:
                for k, why, params in problems:  # not `code`: the row's household code is read below
                    err(k, why, params)

            v = values[j_phone]
            if v is None or v == "" or (v.__class__ is str and v.isspace()):
                phone = None
            elif v.__class__ is str and v[:1] == "0" and v.isdigit() and v.isascii() and _NATIONAL_OK.fullmatch(v, 1):
                phone = v  # already in the national form
            else:
                phone = _phone(v)
                if phone is None:
                    err("phone", Code.ROW_PHONE_INVALID, {"v": _text(v)})
            # Empty cells and absent columns are None: the registry keeps what it has.
            v = values[j_address]
            address = (" ".join(v.split()) if v.__class__ is str else _text(v))[:255] or None
            v = values[j_notes]
            notes = (" ".join(v.split()) if v.__class__ is str else _text(v)) or None
            v = values[j_ethnicity]
            key = v if v.__class__ is str else (v.__class__, v)
            try:
                ethnicity = ethnicities[key]
            except KeyError:
                ethnicity = ethnicities[key] = _text(v)[:40] or None
            if code:
                if code in seen_codes:
                    err("code", Code.ROW_CODE_REPEATED, {"c": code, "where": seen_at(seen_codes[code])})
                else:
                    seen_codes[code] = (sheet, row_no)
            if cid:
                if cid in seen_ids:
                    err("citizen_id", Code.ROW_ID_REPEATED, {"c": cid, "where": seen_at(seen_ids[cid])})
                else:
                    seen_ids[cid] = (sheet, row_no)
            if len(errors) != errors_before:
                continue
            staged.append(StagedRow(row_no, code, name, cid or None, kind, birth, sex, ethnicity, village,
                                    members, adults, awp, phone, address, notes, cats, sheet))
        done += len(table.rows)
    if progress:
        progress(done)
    return staged, errors
