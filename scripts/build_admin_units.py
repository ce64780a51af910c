"""Build ``phocap/areas/data/admin_units.json.gz`` from the ``vietnam-provinces`` package.

The phocap runtime does NOT depend on ``vietnam-provinces`` (GPL-3.0-or-later, data from
the National Statistics Office of Viet Nam); it only reads the data file this script writes.
The package needs Python >= 3.12, so run this script in a scratch venv outside the repo::

    /root/.pyenv/versions/3.12.1/bin/python -m venv /tmp/vp312
    /tmp/vp312/bin/pip install vietnam-provinces==2026.9.0
    /tmp/vp312/bin/python scripts/build_admin_units.py          # from the repo root

Options: ``--output PATH`` (default: the shipped data file), ``--check`` (build in
memory and exit non-zero if the shipped file differs).

Output (gzip, compact JSON, every list sorted by code, so rebuilding is byte-identical)::

    {"source": "vietnam-provinces", "version": "2026.9.0",
     "legacy": {"provinces": [[code, name, full_name, division_type], ...],
                "districts": [[code, name, full_name, division_type, province_code], ...],
                "communes":  [[code, name, full_name, division_type, district_code], ...]},
     "2025":   {"provinces": [[code, name, full_name, division_type], ...],
                "communes":  [[code, name, full_name, division_type, province_code], ...]},
     "mapping": [[legacy_commune_code, new_commune_code], ...]}

Codes are the official zero-padded strings: province 2 digits, district 3, commune 5.
``full_name`` is the package's name with its division-type prefix in canonical case
("Thành Phố Bắc Kạn" -> "Thành phố Bắc Kạn", "xã Bắc Sơn" -> "Xã Bắc Sơn").
``name`` is the full name without its division-type prefix ("Xã Côn Minh" -> "Côn Minh"),
except when what remains is only a number ("Phường 14", "Quận 1"): then ``name`` keeps the
prefix, as such units are never written without it.
``division_type`` is one of: tỉnh, thành phố, huyện, quận, thị xã, xã, phường, thị trấn,
đặc khu (the package's "thành phố trung ương" becomes "thành phố").

Mapping: the package's old-ward -> new-ward conversion table (one pair per new commune a
legacy commune went to, so a split commune has several pairs). Pairs whose legacy code
is not in the package's legacy list are dropped (the table references a few communes
created by mergers in early 2025, after the legacy snapshot); they are reported on stderr.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "phocap" / "areas" / "data" / "admin_units.json.gz"

EXPECTED = {
    ("legacy", "provinces"): 63,
    ("legacy", "districts"): 696,
    ("legacy", "communes"): 10051,
    ("2025", "provinces"): 34,
    ("2025", "communes"): 3321,
}

# Package enum value -> phocap division_type.
DIVISION_TYPES = {
    "tỉnh": "tỉnh",
    "thành phố trung ương": "thành phố",
    "thành phố": "thành phố",
    "huyện": "huyện",
    "quận": "quận",
    "thị xã": "thị xã",
    "xã": "xã",
    "phường": "phường",
    "thị trấn": "thị trấn",
    "đặc khu": "đặc khu",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def split_name(full_name: str, package_type: str) -> tuple[str, str, str]:
    """Return (name, full_name, division_type) for a package object's name and type."""
    full_name = nfc(full_name)
    division_type = DIVISION_TYPES[str(package_type)]
    prefix = division_type + " "
    if not full_name.lower().startswith(prefix):
        raise ValueError(f"{full_name!r} does not start with {division_type!r}")
    name = full_name[len(prefix) :].strip()
    if not name:
        raise ValueError(f"empty short name for {full_name!r}")
    # The source has a few odd prefixes ("Thành Phố Bắc Kạn", "xã Bắc Sơn"): normalise them.
    full_name = f"{division_type[0].upper()}{division_type[1:]} {name}"
    if name.replace(" ", "").isdigit():
        name = full_name
    return name, full_name, division_type


def code(value: object, width: int) -> str:
    number = int(value)
    text = f"{number:0{width}d}"
    if len(text) != width:
        raise ValueError(f"code {number} wider than {width} digits")
    return text


def build() -> tuple[dict, list[str]]:
    import vietnam_provinces
    from vietnam_provinces import _lookup as new_lookup
    from vietnam_provinces import _ward_conversion_2025 as conversion
    from vietnam_provinces.legacy import _lookup as legacy_lookup

    notes: list[str] = []

    def rows(objects, code_width, parent_attr=None, parent_width=0):
        out = []
        for obj in objects:
            row = [code(obj.code, code_width), *split_name(obj.name, obj.division_type)]
            if parent_attr:
                row.append(code(getattr(obj, parent_attr), parent_width))
            out.append(row)
        out.sort(key=lambda r: r[0])
        if len({r[0] for r in out}) != len(out):
            raise ValueError("duplicate codes")
        return out

    legacy = {
        "provinces": rows(legacy_lookup.PROVINCE_MAPPING.values(), 2),
        "districts": rows(legacy_lookup.DISTRICT_MAPPING.values(), 3, "province_code", 2),
        "communes": rows(legacy_lookup.WARD_MAPPING.values(), 5, "district_code", 3),
    }
    new = {
        "provinces": rows(new_lookup.PROVINCE_MAPPING.values(), 2),
        "communes": rows(new_lookup.WARD_MAPPING.values(), 5, "province_code", 2),
    }

    # Referential integrity inside each scheme.
    for child, parents in (
        (legacy["districts"], legacy["provinces"]),
        (legacy["communes"], legacy["districts"]),
        (new["communes"], new["provinces"]),
    ):
        parent_codes = {r[0] for r in parents}
        missing = sorted({r[4] for r in child} - parent_codes)
        if missing:
            raise ValueError(f"children point to unknown parents: {missing[:10]}")

    legacy_codes = {r[0] for r in legacy["communes"]}
    new_codes = {r[0] for r in new["communes"]}
    pairs: set[tuple[str, str]] = set()
    dropped: dict[str, list[str]] = {}
    for old_code, entry in conversion.OLD_TO_NEW.items():
        old = code(old_code, 5)
        for ref in entry.new_wards:
            new_code = code(ref.code, 5)
            if new_code not in new_codes:
                raise ValueError(f"mapping points to unknown 2025 commune {new_code}")
            if old not in legacy_codes:
                dropped.setdefault(old, []).append(new_code)
                continue
            pairs.add((old, new_code))
    mapping = [list(p) for p in sorted(pairs)]

    if dropped:
        notes.append(
            f"dropped {sum(map(len, dropped.values()))} mapping pairs whose legacy code is not "
            f"in the legacy list: {sorted(dropped)}"
        )
    unmapped_old = sorted(legacy_codes - {p[0] for p in pairs})
    if unmapped_old:
        notes.append(f"{len(unmapped_old)} legacy communes have no successor: {unmapped_old}")
    unmapped_new = sorted(new_codes - {p[1] for p in pairs})
    if unmapped_new:
        notes.append(f"{len(unmapped_new)} 2025 communes have no predecessor: {unmapped_new}")

    data = {
        "source": "vietnam-provinces",
        "version": vietnam_provinces.__version__,
        "legacy": legacy,
        "2025": new,
        "mapping": mapping,
    }
    for (scheme, key), expected in EXPECTED.items():
        actual = len(data[scheme][key])
        if actual != expected:
            notes.append(f"count {scheme}/{key} = {actual}, expected {expected}")
    notes.append(
        "counts: "
        + ", ".join(f"{s}/{k}={len(data[s][k])}" for s, k in EXPECTED)
        + f", mapping={len(mapping)}"
    )
    return data, notes


def encode(data: dict) -> bytes:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # mtime=0 and no filename keep the gzip bytes reproducible.
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare with the existing file")
    args = parser.parse_args(argv)

    data, notes = build()
    for note in notes:
        print(note, file=sys.stderr)
    payload = encode(data)
    if args.check:
        current = args.output.read_bytes() if args.output.exists() else b""
        if current != payload:
            print(f"{args.output} is out of date", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date", file=sys.stderr)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(payload)
    print(f"wrote {args.output} ({len(payload)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
