"""phocap.common.messages: a stored code and its values, worded in the active language."""

from django.utils import translation

from phocap.common import messages


def test_a_hostile_sheet_is_described_with_the_readers_numbers():
    stored = messages.encode("sheet_too_large", rows=65536, cols=256, max_rows=250000, max_cols=100)
    with translation.override("vi"):
        assert "65.536 dòng × 256 cột" in messages.text(stored)
    with translation.override("en"):
        assert "65,536 rows" in messages.text(stored) and "250,000" in messages.text(stored)


def test_text_that_is_not_a_code_is_shown_as_stored():
    assert messages.text("Cấp nhầm người nhận") == "Cấp nhầm người nhận"
    assert messages.text("") == "" and messages.text(None) == ""
    assert messages.text("§code_nobody_knows") == "code_nobody_knows"  # never an error page
