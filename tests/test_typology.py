"""Typology of AI labour: codebook and task checks, rule decisions, hand-computed agreement, the exercise."""

import copy

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

from analysis import typology

CODEBOOK = {
    "source": "Tubaro, Casilli & Coville (2020), Big Data & Society 7(1)",
    "functions": {
        "preparation": {
            "label": "AI preparation", "definition": "Workers produce and annotate training data.",
            "subfunctions": {"data generation": "produce new data", "data annotation": "label existing data"},
            "examples": ["record a phrase", "tag an image"],
        },
        "verification": {"label": "AI verification", "definition": "Workers check machine outputs.",
                         "examples": ["rate a search result"]},
        "impersonation": {"label": "AI impersonation", "definition": "Workers act as the machine.",
                          "examples": ["answer as a chatbot"]},
    },
    "roles": {
        "trainer": {"function": "preparation", "subfunction": "data annotation", "definition": "labels data"},
        "verifier": {"function": "verification", "definition": "checks outputs"},
        "imitator": {"function": "impersonation", "definition": "acts as the AI"},
    },
}

TASK_ROWS = [
    # id, description, domain, function, subfunction, borderline, rationale
    ("t1", "Record yourself reading a sentence aloud", "voice", "preparation", "data generation", "false", ""),
    ("t2", "Tag the colour of each shirt", "retail", "preparation", "data annotation", "false", ""),
    ("t3", "Check whether the translation is correct", "language", "verification", "", "false", ""),
    ("t4", "Pretend to be the assistant and reply to the user", "voice", "impersonation", "", "true",
     "The user believes software answered."),
    ("t5", "Rate the relevance of a search result", "search", "verification", "", "false", ""),
    ("t6", "Choose the main colour of the car", "retail", "preparation", "data annotation", "false", ""),
]


def _tasks_frame(rows=TASK_ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=typology.TASK_COLUMNS)


@pytest.fixture(scope="module")
def rules():
    return typology.load_rules()


@pytest.fixture
def tasks():
    return typology.check_tasks(_tasks_frame())


# --- codebook -----------------------------------------------------------------------------------

def test_a_complete_codebook_passes_and_loads_from_yaml(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(CODEBOOK), encoding="utf-8")
    assert typology.load_codebook(path)["roles"]["verifier"]["function"] == "verification"


def _broken(change):
    codebook = copy.deepcopy(CODEBOOK)
    change(codebook)
    return codebook


@pytest.mark.parametrize(("change", "message"), [
    (lambda c: c["functions"].pop("impersonation"), r"functions \['impersonation'\] are missing"),
    (lambda c: c["functions"]["verification"].pop("definition"), r"function 'verification' lacks \['definition'\]"),
    (lambda c: c["functions"]["preparation"]["subfunctions"].pop("data generation"),
     r"'preparation' lacks the subfunctions \['data generation'\]"),
    (lambda c: c["roles"].update(moderator={"function": "moderation", "definition": "x"}),
     r"role 'moderator' maps to function 'moderation'"),
    (lambda c: c["roles"].update(cleaner={"function": "verification", "subfunction": "data annotation",
                                          "definition": "x"}),
     r"role 'cleaner' maps to subfunction 'data annotation' of 'verification'"),
    (lambda c: c["roles"].update(recorder={"function": "preparation", "subfunction": "data cleaning",
                                           "definition": "x"}),
     r"role 'recorder' maps to subfunction 'data cleaning'"),
])
def test_codebook_errors_name_the_function_or_role(change, message):
    with pytest.raises(ValueError, match=message):
        typology.check_codebook(_broken(change))


# --- tasks --------------------------------------------------------------------------------------

def test_tasks_are_indexed_by_id_with_boolean_borderline(tmp_path):
    path = tmp_path / "tasks.csv"
    _tasks_frame().to_csv(path, index=False)
    tasks = typology.load_tasks(path)
    assert list(tasks.index) == ["t1", "t2", "t3", "t4", "t5", "t6"]
    assert tasks["borderline"].tolist() == [False, False, False, True, False, False]
    assert pd.isna(tasks.loc["t3", "subfunction"])


def _with(row_id, **changes):
    frame = _tasks_frame()
    for column, value in changes.items():
        frame.loc[frame["id"] == row_id, column] = value
    return frame


@pytest.mark.parametrize(("frame", "message"), [
    (_with("t3", function="moderation"), r"column 'function' must be one of .* for ids \['t3'\]"),
    (_with("t4", rationale=""), r"column 'rationale' is empty on borderline rows for ids \['t4'\]"),
    (_with("t2", id="t1"), r"column 'id' repeats the ids \['t1'\]"),
    (_with("t5", subfunction="data annotation"), r"column 'subfunction' is given .* for ids \['t5'\]"),
    (_with("t1", subfunction=""), r"column 'subfunction' must be one of .* for ids \['t1'\]"),
    (_with("t6", borderline="maybe"), r"column 'borderline' must be true or false for ids \['t6'\]"),
    (_tasks_frame().drop(columns="rationale"), r"lacks the columns \['rationale'\]"),
])
def test_task_errors_name_column_and_ids(frame, message):
    with pytest.raises(ValueError, match=message):
        typology.check_tasks(frame)


# --- rules and classifier -----------------------------------------------------------------------

@pytest.mark.parametrize(("description", "function", "subfunction", "rule"), [
    ("Pretend to be the virtual assistant and answer the user's question", "impersonation", None,
     "impersonation-role-play"),
    ("Answer customers in a live chat window", "impersonation", None, "impersonation-real-time"),
    ("Type the replies that callers hear from the 'automated' booking line", "impersonation", None,
     "impersonation-presented-as-machine"),
    ("Does the summary the model produced leave out the main point?", "verification", None,
     "verification-machine-output"),
    ("Moderate comments posted under news articles", "verification", None, "verification-moderation"),
    ("Check whether the speech recogniser's transcription is correct", "verification", None,
     "verification-check-output"),
    ("Draw bounding boxes around every pedestrian in the street photo", "preparation", "data annotation",
     "annotation-on-existing-data"),
    ("Record yourself saying ten short phrases in your own accent", "preparation", "data generation",
     "data-generation"),
    ("Tag each product image with its colour", "preparation", "data annotation", "data-annotation"),
    # No rule: "accurate" must not read as "rate".
    ("Choose an accurate colour name for the shirt", "preparation", "data annotation", "default"),
    # An apostrophe is not a scare quote: "user's smart speaker" is no product name.
    ("Choose the user's smart speaker colour", "preparation", "data annotation", "default"),
])
def test_each_decision_names_its_rule(rules, description, function, subfunction, rule):
    decision = typology.classify([description], rules).iloc[0]
    assert (decision["function"], decision["subfunction"], decision["rule"]) == (function, subfunction, rule)


def test_first_matching_rule_wins_and_series_keep_their_index(rules):
    # "label" (annotation) and "check" (verification): verification comes first in the file.
    decisions = typology.classify(pd.Series(["Check the labels another worker gave"], index=["x9"]), rules)
    assert decisions.loc["x9", "rule"] == "verification-check-output"


def test_every_rule_gives_a_reason(rules):
    assert all(rule["why"].strip() for rule in rules["rules"]) and rules["default"]["why"].strip()


@pytest.mark.parametrize(("content", "message"), [
    ({"rules": [{"name": "a", "function": "preparation", "patterns": ["x"], "why": "y"}],
      "default": {"function": "verification", "why": "z"}}, r"rule 'a': subfunction None does not fit"),
    ({"rules": [{"name": "a", "function": "verification", "patterns": ["(x"], "why": "y"}],
      "default": {"function": "verification", "why": "z"}}, r"rule 'a': pattern '\(x' is not a regular"),
    ({"rules": [{"name": "a", "function": "verification", "patterns": ["x"]}],
      "default": {"function": "verification", "why": "z"}}, r"rule 'a' lacks \['why'\]"),
])
def test_rule_errors_name_the_rule(content, message):
    with pytest.raises(ValueError, match=message):
        typology.check_rules(content)


# --- agreement ----------------------------------------------------------------------------------

def _codings(table):
    """Reference and predicted Series reproducing a confusion table (rows reference, columns predicted)."""
    pairs = [(typology.FUNCTIONS[i], typology.FUNCTIONS[j])
             for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)]
    reference, predicted = zip(*pairs, strict=True)
    return pd.Series(reference), pd.Series(predicted)


def test_kappa_matches_the_hand_computation():
    # Confusion [[20, 5, 0], [5, 15, 0], [0, 0, 5]], n = 50.
    # p_o = (20 + 15 + 5) / 50 = 0.8; row totals 25, 20, 5 = column totals;
    # p_e = (25·25 + 20·20 + 5·5) / 50² = (625 + 400 + 25) / 2500 = 0.42;
    # kappa = (0.8 - 0.42) / (1 - 0.42) = 0.38 / 0.58 = 0.65517.
    result = typology.evaluate(*_codings([[20, 5, 0], [5, 15, 0], [0, 0, 5]]))
    assert result["confusion"].to_numpy().tolist() == [[20, 5, 0], [5, 15, 0], [0, 0, 5]]
    assert list(result["confusion"].index) == list(typology.FUNCTIONS)
    assert result["accuracy"] == pytest.approx(0.8)
    assert result["kappa"] == pytest.approx(0.38 / 0.58, abs=1e-12)
    assert result["kappa_low"] < result["kappa"] < result["kappa_upp"]
    assert result["kappa_se"] > 0


def test_precision_recall_f1_by_hand():
    # Rows reference, columns predicted: [[20, 5, 0], [0, 15, 0], [2, 0, 3]].
    # preparation: precision 20/22, recall 20/25; verification: 15/20, 15/15; impersonation: 3/3, 3/5.
    result = typology.evaluate(*_codings([[20, 5, 0], [0, 15, 0], [2, 0, 3]]))
    table = result["per_class"]
    assert table["precision"].tolist() == pytest.approx([20 / 22, 15 / 20, 1.0])
    assert table["recall"].tolist() == pytest.approx([20 / 25, 1.0, 3 / 5])
    assert table.loc["impersonation", "f1"] == pytest.approx(2 * 1.0 * 0.6 / 1.6)
    assert table["support"].tolist() == [25, 15, 5]
    assert result["accuracy"] == pytest.approx(38 / 45)


def test_an_unpredicted_class_has_nan_precision_and_zeros_in_its_column():
    result = typology.evaluate(pd.Series(["preparation", "impersonation"]), pd.Series(["preparation", "preparation"]))
    assert result["confusion"]["impersonation"].tolist() == [0, 0, 0]
    assert np.isnan(result["per_class"].loc["impersonation", "precision"])


def test_evaluate_refuses_unknown_functions():
    with pytest.raises(ValueError, match=r"predicted: values \['moderation'\] at \[1\]"):
        typology.evaluate(pd.Series(["preparation", "verification"]), pd.Series(["preparation", "moderation"]))


def test_errors_list_the_disagreements_with_rule_and_rationale(tasks):
    predicted = pd.DataFrame({"function": ["preparation", "preparation", "verification", "verification",
                                           "verification", "preparation"],
                              "subfunction": None, "rule": ["r1", "r2", "r3", "r4", "r5", "default"]},
                             index=tasks.index)
    wrong = typology.errors(tasks, predicted)
    assert list(wrong.index) == ["t4"]
    assert wrong.loc["t4", ["reference", "predicted", "rule"]].tolist() == ["impersonation", "verification", "r4"]
    assert wrong.loc["t4", "rationale"] == "The user believes software answered."


# --- exercise -----------------------------------------------------------------------------------

def test_exercise_is_reproducible_and_hides_the_answers():
    rows = [(f"t{i}", f"task {i}", "d", "verification", "", "false", "") for i in range(40)]
    tasks = typology.check_tasks(_tasks_frame(rows))
    first, again = typology.exercise(tasks, seed=7), typology.exercise(tasks, seed=7)
    assert len(first) == 20 and list(first.index) == list(again.index)
    assert list(first.index) != list(typology.exercise(tasks, seed=8).index)
    assert list(first.columns) == ["description"]
    with pytest.raises(ValueError, match="n must be a whole number from 1 to the 40 tasks, got 41"):
        typology.exercise(tasks, n=41)


def test_score_exercise_by_hand(tasks):
    predicted = pd.DataFrame({"function": ["preparation", "preparation", "verification", "verification",
                                           "verification", "preparation"], "rule": "r"}, index=tasks.index)
    # Reference t1..t4: prep, prep, verif, imp. Classifier: prep, prep, verif, verif.
    answers = {"t1": "preparation", "t2": "verification", "t3": "verification", "t4": "impersonation"}
    scores = typology.score_exercise(answers, tasks, predicted)
    # Against the reference: agree on t1, t3, t4 -> 3/4. Reader margins prep 1, verif 2, imp 1;
    # reference margins prep 2, verif 1, imp 1: p_e = (1·2 + 2·1 + 1·1)/16 = 5/16,
    # kappa = (3/4 - 5/16) / (1 - 5/16) = (7/16) / (11/16) = 7/11.
    assert scores.loc["reference", ["n", "agreed"]].tolist() == [4, 3]
    assert scores.loc["reference", "share"] == pytest.approx(0.75)
    assert scores.loc["reference", "kappa"] == pytest.approx(7 / 11)
    # Against the classifier: agree on t1, t3 -> 2/4. Classifier margins prep 2, verif 2, imp 0:
    # p_e = (1·2 + 2·2 + 1·0)/16 = 6/16, kappa = (8/16 - 6/16) / (10/16) = 0.2.
    assert scores.loc["classifier", "share"] == pytest.approx(0.5)
    assert scores.loc["classifier", "kappa"] == pytest.approx(0.2)
    as_frame = pd.DataFrame({"id": list(answers), "function": list(answers.values())})
    pd.testing.assert_frame_equal(typology.score_exercise(as_frame, tasks, predicted), scores)


def test_score_exercise_names_unknown_ids_and_functions(tasks):
    predicted = pd.DataFrame({"function": tasks["function"], "rule": "r"})
    with pytest.raises(ValueError, match=r"task ids \['t99'\]"):
        typology.score_exercise({"t99": "preparation"}, tasks, predicted)
    with pytest.raises(ValueError, match=r"answers: values \['training'\]"):
        typology.score_exercise({"t1": "training"}, tasks, predicted)


# --- by domain and figures ----------------------------------------------------------------------

def test_by_domain_shares_by_hand(tasks):
    table = typology.by_domain(tasks)
    # voice: t1 preparation, t4 impersonation; retail: t2, t6 preparation.
    assert table.loc["voice", list(typology.FUNCTIONS)].tolist() == [0.5, 0.0, 0.5]
    assert table.loc["retail", list(typology.FUNCTIONS)].tolist() == [1.0, 0.0, 0.0]
    assert table["n"].to_dict() == {"language": 1, "retail": 2, "search": 1, "voice": 2}


def test_plots_return_figures(tasks):
    confusion = typology.evaluate(tasks["function"], tasks["function"])["confusion"]
    for fig in (typology.plot_confusion(confusion), typology.plot_by_domain(typology.by_domain(tasks))):
        assert isinstance(fig, Figure)
        plt.close(fig)


# --- the real codebook and tasks (a missing file fails these, it is not skipped) -------------------


def test_the_codebook_passes_its_checks():
    assert set(typology.load_codebook()["functions"]) == set(typology.FUNCTIONS)


def test_the_tasks_are_enough_and_the_rules_do_reasonably_on_them(rules):
    tasks = typology.load_tasks()
    assert len(tasks) >= 150
    result = typology.evaluate(tasks["function"], typology.classify(tasks["description"], rules)["function"])
    assert 0.6 <= result["accuracy"] <= 0.99  # a sanity band, not a target


# --- OLI occupations (an assumption) ----------------------------------------------------------------

OLI_OCCUPATIONS = ["Microwork", "Clerical and data entry", "Writing and translation", "Creative and multimedia",
                   "Sales and marketing support", "Software development and technology", "Professional services"]


def test_occupation_hosts_cover_every_oli_occupation():
    hosts, window = typology.load_occupation_hosts(OLI_OCCUPATIONS)
    assert window == 12
    assert set(hosts.index) == set(OLI_OCCUPATIONS)
    assert hosts.loc["Microwork", list(typology.FUNCTIONS)].all()
    assert not hosts.loc["Software development and technology", list(typology.FUNCTIONS)].any()
    assert hosts["reason"].str.len().min() > 20


def test_reach_in_demand_sums_the_hosting_occupations_by_hand():
    hosts = pd.DataFrame({"preparation": [True, True], "verification": [True, False],
                          "impersonation": [False, False]}, index=["A", "B"])
    shares = pd.DataFrame({"A": [10.0, 30.0, 20.0], "B": [90.0, 70.0, 80.0]},
                          index=pd.date_range("2024-01-01", periods=3, freq="MS"))
    reach = typology.reach_in_demand(hosts, shares, window_months=2)
    assert reach.loc["preparation", "upper_bound_share"] == pytest.approx(1.0)
    assert reach.loc["verification", "upper_bound_share"] == pytest.approx(0.25)  # mean of 30 and 20 %
    assert reach.loc["impersonation", "upper_bound_share"] == 0
    assert reach.loc["verification", "occupations"] == "A"
    assert reach.attrs["window"] == "2024-02 to 2024-03"
    with pytest.raises(ValueError, match="window of 4 months is longer than the 3 months"):
        typology.reach_in_demand(hosts, shares, window_months=4)


def test_reach_in_demand_on_the_oli_series():
    from analysis import demand
    shares = demand.shares()
    hosts, window = typology.load_occupation_hosts(shares.columns)
    reach = typology.reach_in_demand(hosts, shares, window)
    recent = shares.tail(12).mean() / 100
    assert reach.loc["impersonation", "upper_bound_share"] == pytest.approx(
        recent["Microwork"] + recent["Sales and marketing support"])
    assert reach.loc["preparation", "upper_bound_share"] == pytest.approx(0.4804, abs=5e-5)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["occupations"].pop("Microwork"), r"missing \['Microwork'\]"),
    (lambda c: c["occupations"].update({"Plumbing": {"functions": [], "reason": "not online"}}),
     r"unknown \['Plumbing'\]"),
    (lambda c: c["occupations"]["Microwork"].update({"functions": ["training"]}), "occupation 'Microwork' needs"),
    (lambda c: c["occupations"]["Microwork"].update({"reason": " "}), "occupation 'Microwork' needs"),
    (lambda c: c.update({"window_months": 0}), "'window_months' must be a whole number"),
])
def test_occupation_hosts_reject_bad_config(tmp_path, edit, message):
    config = yaml.safe_load(typology.OCCUPATION_HOSTS.read_text(encoding="utf-8"))
    edit(config)
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        typology.load_occupation_hosts(OLI_OCCUPATIONS, path)
