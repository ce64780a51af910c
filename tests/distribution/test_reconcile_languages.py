"""reconcile_devices and reconcile_fund print in the language of --language (Vietnamese
by default); the exit code is the same in both."""

import pytest
from django.core.management import call_command

from distribution.models import Device


def _run(capsys, *args):
    try:
        call_command(*args)
        code = 0
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize(("language", "clean", "drift"), [
    ("vi", "OK: mọi máy khớp với sổ cái", ["vị trí hiện ghi", "1 máy lệch với sổ cái"]),
    ("en", "OK: every phone matches its ledger", ["recorded place", "1 phone differs from its ledger"]),
])
def test_reconcile_devices_speaks_the_chosen_language(stock, capsys, language, clean, drift):
    assert _run(capsys, "reconcile_devices", "--language", language) == (0, clean + "\n")
    Device.objects.filter(pk=stock[0].pk).update(status="written_off")  # behind the ledger's back
    code, text = _run(capsys, "reconcile_devices", "--language", language)
    assert code == 1 and stock[0].imei in text
    for fragment in drift:
        assert fragment in text, text


def test_reconcile_devices_is_vietnamese_by_default(stock, capsys):
    assert _run(capsys, "reconcile_devices") == (0, "OK: mọi máy khớp với sổ cái\n")


@pytest.mark.parametrize(("language", "clean"), [("vi", "OK: sổ quỹ của mọi chương trình đều khớp"),
                                                 ("en", "OK: every programme's account balances")])
def test_reconcile_fund_speaks_the_chosen_language(stock, capsys, language, clean):
    assert _run(capsys, "reconcile_fund", "--language", language) == (0, clean + "\n")


def test_every_command_people_run_takes_the_language_option():
    from django.core.management import load_command_class

    from phocap.common.commands import Command

    for app, name in [("beneficiaries", "import_households"), ("distribution", "reconcile_devices"),
                      ("donations", "reconcile_fund"), ("donations", "allocate_cash"), ("phocap.common", "backup"),
                      ("phocap.common", "restore"), ("phocap.common", "health"),
                      ("phocap.programmes", "load_demo"), ("phocap.areas", "load_admin_units"),
                      ("programme_coverage", "rebuild_coverage"), ("phocap.notifications", "notify_scan")]:
        command = load_command_class(app, name)
        assert isinstance(command, Command), name
        assert "--language" in command.create_parser("manage.py", name).format_help(), name


@pytest.mark.parametrize(("language", "help_text"), [("en", "Recompute every phone's place from the ledger"),
                                                     ("vi", "Tính lại vị trí mọi máy từ sổ cái")])
def test_help_follows_the_language_option_from_the_shell(capsys, language, help_text):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as e:
        ManagementUtility(["manage.py", "reconcile_devices", "--help", "--language", language]).execute()
    assert e.value.code == 0 and help_text in " ".join(capsys.readouterr().out.split())
