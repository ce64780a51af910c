"""manage.py import_households: exit codes and JSON."""

import json

import pytest
from django.core.management import call_command

from beneficiaries.models import Household
from tests.beneficiaries import corpus


def _run(*args, capsys):
    code = 0
    try:
        call_command("import_households", *args)
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path):
    return corpus.build(tmp_path)


def test_valid_file_imports_with_exit_0_and_json(tree, files, capsys):
    code, out, _err = _run(str(files["two_bad_rows_fixed.xlsx"]), "--commune", "02071", "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert (report["created"], report["updated"], report["unchanged"], report["invalid"]) == (4, 0, 0, 0)
    assert report["errors"] == []
    assert Household.objects.filter(commune=tree.con_minh).count() == 4


def test_file_with_errors_exits_1_and_writes_nothing(tree, files, capsys):
    code, out, _err = _run(str(files["two_bad_rows.xlsx"]), "--commune", "02071", "--json", capsys=capsys)
    assert code == 1
    errors = json.loads(out)["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "Số CCCD"), (4, "Phân loại hộ")]
    assert Household.objects.count() == 0


def test_skip_invalid_imports_the_valid_rows(tree, files, capsys):
    code, _out, _err = _run(str(files["two_bad_rows.xlsx"]), "--commune", "02071", "--skip-invalid", capsys=capsys)
    assert code == 0 and Household.objects.count() == 2


def test_dry_run_exits_0_when_valid_and_writes_nothing(tree, files, capsys):
    code, out, _err = _run(str(files["two_bad_rows_fixed.xlsx"]), "--commune", "02071", "--dry-run", capsys=capsys)
    assert code == 0 and "chỉ kiểm tra" in out
    assert Household.objects.count() == 0


def test_unreadable_file_exits_1(tree, files, capsys):
    code, _out, err = _run(str(files["encrypted.xlsx"]), "--commune", "02071", capsys=capsys)
    assert code == 1 and "mật khẩu" in err


def test_human_output_names_row_and_column(tree, files, capsys):
    _code, _out, err = _run(str(files["two_bad_rows.xlsx"]), "--commune", "02071", capsys=capsys)
    assert "Dòng 3, cột Số CCCD" in err


@pytest.mark.parametrize("args", [
    ["missing.xlsx", "--commune", "02071"],
    ["FILE", "--commune", "99999"],
    ["FILE", "--commune", "02071", "--scheme", "2025"],  # no such commune in the 2025 scheme
])
def test_unusable_arguments_exit_2(tree, files, capsys, args):
    args = [str(files["two_bad_rows_fixed.xlsx"]) if a == "FILE" else a for a in args]
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as e:
        ManagementUtility(["manage.py", "import_households", *args]).execute()
    assert e.value.code == 2


def test_scheme_picks_the_2025_commune(tree, files, capsys):
    code, _out, _err = _run(str(files["two_bad_rows_fixed.xlsx"]), "--commune", "06472", "--scheme", "2025",
                            capsys=capsys)
    assert code == 0 and Household.objects.filter(commune=tree.tn_commune).count() == 4


@pytest.mark.parametrize(("language", "expected", "absent"), [
    ("en", ["Row 3, column Số CCCD: number “003180000202” has first 3 digits", "rows with errors"],
     ["Dòng", "dòng lỗi"]),
    ("vi", ["Dòng 3, cột Số CCCD: số “003180000202” 3 số đầu", "dòng lỗi"], ["Row 3", "rows with errors"]),
])
def test_output_follows_the_language_option(tree, files, capsys, language, expected, absent):
    code, out, err = _run(str(files["two_bad_rows.xlsx"]), "--commune", "02071", "--language", language,
                          capsys=capsys)
    assert code == 1
    for fragment in expected:
        assert fragment in out + err, fragment
    for fragment in absent:
        assert fragment not in out + err, fragment


def test_json_keys_and_codes_are_the_same_in_both_languages(tree, files, capsys):
    reports = {}
    for language in ("vi", "en"):
        _code, out, _err = _run(str(files["two_bad_rows.xlsx"]), "--commune", "02071", "--json", "--dry-run",
                                "--language", language, capsys=capsys)
        reports[language] = json.loads(out)
    vi, en = reports["vi"], reports["en"]
    assert vi.keys() == en.keys()
    assert [(e["row"], e["column"], e["code"]) for e in vi["errors"]] == \
        [(e["row"], e["column"], e["code"]) for e in en["errors"]] == [(3, "Số CCCD", "row_id_invalid"),
                                                                       (4, "Phân loại hộ", "row_category_missing")]
    assert vi["errors"][1]["message"] != en["errors"][1]["message"]
