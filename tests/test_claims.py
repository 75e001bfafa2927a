"""Claims in the notebooks' text that a review found wrong: each stays corrected.

The numbers behind them are tested in the package's tests; these guard the words readers see.
"""

import json

import pytest

from analysis import paths, typology


def text(name: str, cell_type: str = "markdown") -> str:
    notebook = json.loads((paths.NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == cell_type)


def test_france_claims_no_evidence_from_near_integers():
    words = text("01-counting-france")
    assert "non-trivial property" not in words and "consistent with — though not proof of" not in words
    assert "one admissible choice" in words
    assert '"just under 2"' not in text("01-counting-france", "code")  # no unverified coefficient in a figure


def test_the_2018_window_is_not_called_computed():
    words = text("02-counting-hidden-workers")
    assert "cannot recompute it" in words and "not recorded as a result" in words
    assert "Amazon closed the platform in September 2026" not in words  # the closure is attributed to its source


def test_typology_states_its_task_count_one_coder_and_its_own_mapping():
    words = text("06-ai-labour-typology")
    assert "150+" not in words and f"The {len(typology.load_tasks())} task descriptions" in words
    assert "no inter-coder reliability" in words
    assert "this compendium's mapping, not the chapter's" in words


def test_schrems_ii_is_dated_and_the_diplab_median_is_context():
    words = text("07-voice-assistant-supply-chain")
    assert "16 July 2020" in words
    assert "Context, not evidence" in words


@pytest.mark.parametrize("name", ["03-global-online-workers", "05-platforms-and-demand", "08-fair-pay-in-research"])
def test_where_workers_live_never_comes_from_the_gender_sample(name):
    """The gender sample is unweighted (India 3.4 % against the OLI's 33 %): only women's shares may use it."""
    code = text(name, "code")
    assert "country_shares(countries.oli_profiles())" not in code
