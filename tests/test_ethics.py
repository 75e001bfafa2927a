"""The research-ethics checklist of notebook 08 (themes of Molina et al. 2023)."""

import pytest

from analysis import ethics


def test_checklist_covers_the_papers_themes_and_says_where_each_comes_from():
    table = ethics.checklist()
    assert {"human-subject status", "double morality", "informed consent", "data protection", "fair pay"} <= set(
        table.index)
    assert set(table["status"]) <= set(ethics.STATUSES)
    # the two themes read in the abstract itself are marked verified; consent is our own reading
    assert table.loc[["human-subject status", "double morality"], "status"].eq("verified").all()
    assert table.loc["informed consent", "status"] == "compendium"


@pytest.mark.parametrize(
    "text, message",
    [
        ("items: []\n", "'items' must be a non-empty list"),
        ("items:\n  - {theme: a, question: q, why: w, basis: b}\n", r"item 1 lacks \['status'\]"),
        ("items:\n  - {theme: a, question: q, why: w, basis: b, status: sure}\n", "status must be one of"),
        ("items:\n  - {theme: a, question: q, why: w, basis: b, status: verified}\n"
         "  - {theme: a, question: q, why: w, basis: b, status: verified}\n", "themes repeat"),
    ],
)
def test_a_malformed_checklist_is_refused_naming_the_item(tmp_path, text, message):
    path = tmp_path / "checklist.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        ethics.checklist(path)
