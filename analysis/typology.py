"""The three functions of AI labour: a codebook, hand-coded tasks and a rule classifier to compare.

Tubaro, Casilli & Coville (2020, "The trainer, the verifier, the imitator: Three ways in
which human platform workers support artificial intelligence", Big Data & Society 7(1))
sort micro-work into three functions: *preparation* of data (subfunctions data
generation and data annotation), *verification* of machine outputs, and *impersonation*
of a machine by a human. This module makes that typology usable for teaching and checking:

- the codebook (``data/typology/codebook.yaml``) and the hand-coded task descriptions
  (``data/typology/tasks.csv``), loaded with schema checks (:func:`load_codebook`,
  :func:`load_tasks`);
- a keyword classifier whose rules are reviewable config (``params/typology-rules.yaml``):
  ordered rules, the first that matches decides and is named in the output
  (:func:`load_rules`, :func:`classify`);
- its agreement with the hand coding: confusion matrix, precision, recall, F1, accuracy
  and Cohen's kappa (:func:`evaluate`, :func:`errors`, :func:`plot_confusion`);
- a coding exercise for readers, scored against both (:func:`exercise`,
  :func:`score_exercise`), and the mix of functions by domain (:func:`by_domain`);
- which Online Labour Index occupations can host each function — an assumption stated in
  ``params/typology-oli-occupations.yaml`` — and the upper bound it puts on each function's
  share of online labour demand (:func:`load_occupation_hosts`, :func:`reach_in_demand`).

The classifier is a transparent baseline, not a measurement: the hand coding is the
reference, and where the two differ the rule that fired says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import yaml
from matplotlib.figure import Figure
from statsmodels.stats.inter_rater import cohens_kappa

from analysis import paths

FUNCTIONS = ("preparation", "verification", "impersonation")
SUBFUNCTIONS = ("data generation", "data annotation")
SUBFUNCTION_OF = "preparation"  # the only function with subfunctions
FUNCTION_KEYS = ("label", "definition", "examples")
TASK_COLUMNS = ["id", "description", "domain", "function", "subfunction", "borderline", "rationale"]
BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
RULE_KEYS = ("name", "function", "patterns", "why")
CODEBOOK = paths.DATA / "typology" / "codebook.yaml"
TASKS = paths.DATA / "typology" / "tasks.csv"
RULES = paths.PARAMS / "typology-rules.yaml"
OCCUPATION_HOSTS = paths.PARAMS / "typology-oli-occupations.yaml"


def _read_yaml(path: str | Path) -> object:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{paths.shown(path)}: no such file")
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def check_codebook(codebook: object, source: str = "codebook") -> dict:
    """Check the codebook's schema and return it.

    The three functions are present, each with a non-empty label, definition and
    examples; preparation defines both subfunctions (data generation, data annotation)
    and no other function has any; every role maps to an existing function, and to an
    existing subfunction of it if it names one. Errors name the function or role.
    """
    if not isinstance(codebook, Mapping):
        raise ValueError(f"{source}: must be a mapping with 'functions' and 'roles', got {type(codebook).__name__}")
    functions = codebook.get("functions")
    if not isinstance(functions, Mapping):
        raise ValueError(f"{source}: 'functions' must map the functions {list(FUNCTIONS)} to their definitions")
    missing = [name for name in FUNCTIONS if name not in functions]
    if missing:
        raise ValueError(f"{source}: functions {missing} are missing (needs {list(FUNCTIONS)})")
    unknown = [name for name in functions if name not in FUNCTIONS]
    if unknown:
        raise ValueError(f"{source}: functions {unknown} are not in the typology {list(FUNCTIONS)}")
    for name in FUNCTIONS:
        entry = functions[name]
        if not isinstance(entry, Mapping):
            raise ValueError(f"{source}: function '{name}' must be a mapping with {list(FUNCTION_KEYS)}")
        empty = [key for key in FUNCTION_KEYS if not entry.get(key)]
        if empty:
            raise ValueError(f"{source}: function '{name}' lacks {empty}")
        subfunctions = entry.get("subfunctions")
        if name == SUBFUNCTION_OF:
            absent = [sub for sub in SUBFUNCTIONS if not isinstance(subfunctions, Mapping) or sub not in subfunctions]
            if absent:
                raise ValueError(f"{source}: function '{name}' lacks the subfunctions {absent}")
            extra = [sub for sub in subfunctions if sub not in SUBFUNCTIONS]
            if extra:
                raise ValueError(f"{source}: function '{name}' has unknown subfunctions {extra} "
                                 f"(allowed: {list(SUBFUNCTIONS)})")
        elif subfunctions:
            raise ValueError(f"{source}: function '{name}' has subfunctions; only '{SUBFUNCTION_OF}' has any")
    roles = codebook.get("roles") or {}
    if not isinstance(roles, Mapping):
        raise ValueError(f"{source}: 'roles' must map role names to {{function, subfunction?, definition}}")
    for role, entry in roles.items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"{source}: role '{role}' must be a mapping with function and definition")
        function = entry.get("function")
        if function not in FUNCTIONS:
            raise ValueError(f"{source}: role '{role}' maps to function {function!r}, which is not one of "
                             f"{list(FUNCTIONS)}")
        subfunction = entry.get("subfunction")
        if subfunction is not None and (function != SUBFUNCTION_OF or subfunction not in SUBFUNCTIONS):
            raise ValueError(f"{source}: role '{role}' maps to subfunction {subfunction!r} of '{function}', "
                             f"which does not exist (only '{SUBFUNCTION_OF}' has {list(SUBFUNCTIONS)})")
        if not entry.get("definition"):
            raise ValueError(f"{source}: role '{role}' has no definition")
    return dict(codebook)


def load_codebook(path: str | Path = CODEBOOK) -> dict:
    """The typology's codebook (YAML), checked by :func:`check_codebook`."""
    return check_codebook(_read_yaml(path), paths.shown(Path(path)))


def check_tasks(tasks: pd.DataFrame, source: str = "tasks") -> pd.DataFrame:
    """Checked hand-coded tasks, indexed by id.

    Columns :data:`TASK_COLUMNS`; ids unique and non-empty; descriptions non-empty;
    function one of :data:`FUNCTIONS`; subfunction given for, and only for, preparation
    and one of :data:`SUBFUNCTIONS`; borderline true/false; a rationale on every
    borderline row. Errors name the column and the ids.
    """
    missing = [column for column in TASK_COLUMNS if column not in tasks.columns]
    if missing:
        raise ValueError(f"{source}: lacks the columns {missing} (needs {TASK_COLUMNS})")
    frame = tasks[TASK_COLUMNS].copy()
    empty = frame["id"].map(_blank)
    if empty.any():
        raise ValueError(f"{source}: column 'id' is empty in rows {list(frame.index[empty])}")
    ids = frame["id"].astype(str).str.strip()
    duplicated = sorted(set(ids[ids.duplicated()]))
    if duplicated:
        raise ValueError(f"{source}: column 'id' repeats the ids {duplicated}")
    frame["id"] = ids
    frame = frame.set_index("id")

    def bad(column: str, mask: pd.Series, what: str) -> None:
        if mask.any():
            raise ValueError(f"{source}: column '{column}' {what} for ids {list(frame.index[mask])}")

    bad("description", frame["description"].map(_blank), "is empty")
    bad("function", ~frame["function"].isin(FUNCTIONS), f"must be one of {list(FUNCTIONS)}")
    subfunction = frame["subfunction"].map(lambda value: None if _blank(value) else str(value).strip())
    preparation = frame["function"] == SUBFUNCTION_OF
    bad("subfunction", ~preparation & subfunction.notna(), f"is given but only '{SUBFUNCTION_OF}' has subfunctions")
    bad("subfunction", preparation & ~subfunction.isin(SUBFUNCTIONS), f"must be one of {list(SUBFUNCTIONS)} "
        f"for '{SUBFUNCTION_OF}'")
    frame["subfunction"] = subfunction
    borderline = frame["borderline"].map(lambda value: BOOLEANS.get(str(value).strip().lower()))
    bad("borderline", borderline.isna(), "must be true or false")
    frame["borderline"] = borderline.astype(bool)
    bad("rationale", frame["borderline"] & frame["rationale"].map(_blank), "is empty on borderline rows")
    return frame


def load_tasks(path: str | Path = TASKS) -> pd.DataFrame:
    """Hand-coded task descriptions (CSV), checked by :func:`check_tasks`, indexed by id."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{paths.shown(path)}: no such file")
    return check_tasks(pd.read_csv(path, dtype=str, keep_default_na=False), paths.shown(path))


def check_rules(rules: object, source: str = "rules") -> dict:
    """Checked classifier rules, with each rule's patterns compiled (case-insensitive).

    ``rules``: {rules: [{name, function, subfunction (preparation only), patterns, why}],
    default: {function, subfunction, why}}. Rule names are unique, patterns valid regular
    expressions, and every decision has a reason. Errors name the rule.
    """
    if not isinstance(rules, Mapping) or not isinstance(rules.get("rules"), list) or not rules["rules"]:
        raise ValueError(f"{source}: must hold a non-empty list 'rules' and a 'default'")
    checked, names = [], set()
    for position, rule in enumerate(rules["rules"], start=1):
        if not isinstance(rule, Mapping):
            raise ValueError(f"{source}: rule {position} must be a mapping with {list(RULE_KEYS)}")
        name = rule.get("name") or f"#{position}"
        absent = [key for key in RULE_KEYS if not rule.get(key)]
        if absent:
            raise ValueError(f"{source}: rule '{name}' lacks {absent}")
        if name in names:
            raise ValueError(f"{source}: rule name '{name}' is used twice")
        names.add(name)
        _decision(rule, f"{source}: rule '{name}'")
        if not isinstance(rule["patterns"], list):
            raise ValueError(f"{source}: rule '{name}': patterns must be a list of regular expressions")
        compiled = []
        for pattern in rule["patterns"]:
            try:
                compiled.append(re.compile(str(pattern), re.IGNORECASE))
            except re.error as error:
                raise ValueError(f"{source}: rule '{name}': pattern {pattern!r} is not a regular expression "
                                 f"({error})") from None
        checked.append({**rule, "compiled": compiled})
    default = rules.get("default")
    if not isinstance(default, Mapping) or not default.get("why"):
        raise ValueError(f"{source}: 'default' must give function, subfunction and why")
    _decision(default, f"{source}: default")
    return {"rules": checked, "default": dict(default)}


def _decision(entry: Mapping, where: str) -> None:
    function, subfunction = entry.get("function"), entry.get("subfunction")
    if function not in FUNCTIONS:
        raise ValueError(f"{where}: function {function!r} is not one of {list(FUNCTIONS)}")
    if (function == SUBFUNCTION_OF) != (subfunction in SUBFUNCTIONS):
        raise ValueError(f"{where}: subfunction {subfunction!r} does not fit function '{function}' "
                         f"('{SUBFUNCTION_OF}' needs one of {list(SUBFUNCTIONS)}, the others none)")


def load_rules(path: str | Path = RULES) -> dict:
    """The classifier's rules (YAML), checked and compiled by :func:`check_rules`."""
    return check_rules(_read_yaml(path), paths.shown(Path(path)))


def classify(descriptions: Iterable[str], rules: Mapping) -> pd.DataFrame:
    """Function, subfunction and deciding rule for each description.

    Rules (from :func:`load_rules`) are tried in order; the first with a pattern found in
    the description decides; if none does, the default decides and ``rule`` is
    "default". A Series keeps its index (task ids); other iterables get 0, 1, ...
    """
    index = descriptions.index if isinstance(descriptions, pd.Series) else None
    rows = []
    for text in descriptions:
        text = "" if _blank(text) else str(text)
        rule = next((rule for rule in rules["rules"] if any(p.search(text) for p in rule["compiled"])), None)
        decision = rule if rule is not None else rules["default"]
        rows.append({"function": decision["function"], "subfunction": decision.get("subfunction"),
                     "rule": rule["name"] if rule is not None else "default"})
    return pd.DataFrame(rows, index=index, columns=["function", "subfunction", "rule"])


def _paired(reference: pd.Series, predicted: pd.Series,
            names: tuple[str, str] = ("reference", "predicted")) -> tuple[pd.Series, pd.Series]:
    """Both codings on the same items, checked to use the three functions only; errors use ``names``."""
    if not reference.index.equals(predicted.index):
        if set(reference.index) != set(predicted.index):
            only = sorted(set(reference.index) ^ set(predicted.index), key=str)[:10]
            raise ValueError(f"{names[0]} and {names[1]} code different items, e.g. {only}")
        predicted = predicted.reindex(reference.index)
    for name, coding in zip(names, (reference, predicted), strict=True):
        unknown = ~coding.isin(FUNCTIONS)
        if unknown.any():
            raise ValueError(f"{name}: values {sorted(set(map(str, coding[unknown])))} at "
                             f"{list(coding.index[unknown])[:10]} are not functions {list(FUNCTIONS)}")
    if reference.empty:
        raise ValueError(f"{names[0]} is empty: there is nothing to compare")
    return reference, predicted


def confusion(reference: pd.Series, predicted: pd.Series,
              names: tuple[str, str] = ("reference", "predicted")) -> pd.DataFrame:
    """Counts of items by reference function (rows) and predicted function (columns), in FUNCTIONS order."""
    reference, predicted = _paired(reference, predicted, names)
    table = pd.crosstab(pd.Categorical(reference, FUNCTIONS), pd.Categorical(predicted, FUNCTIONS), dropna=False)
    table = table.reindex(index=FUNCTIONS, columns=FUNCTIONS, fill_value=0).astype(int)
    table.index.name, table.columns.name = "reference", "predicted"
    return table


def kappa(table: pd.DataFrame | np.ndarray) -> dict:
    """Cohen's kappa of a square agreement table, with its asymptotic standard error and 95 % CI.

    kappa = (p_o - p_e) / (1 - p_e), p_o the share on the diagonal, p_e the sum of products
    of the row and column shares (statsmodels ``cohens_kappa``; Fleiss, Cohen & Everitt
    1969 for the standard error). NaN when p_e = 1 (both codings use a single class).
    """
    counts = np.asarray(table, dtype=float)
    total = counts.sum()
    expected = float((counts.sum(axis=1) * counts.sum(axis=0)).sum() / total**2)
    if np.isclose(expected, 1.0):
        return {"kappa": np.nan, "kappa_se": np.nan, "kappa_low": np.nan, "kappa_upp": np.nan}
    with np.errstate(divide="ignore", invalid="ignore"):  # perfect agreement: variance 0 up to rounding
        result = cohens_kappa(counts, return_results=True)
    return {"kappa": float(result["kappa"]), "kappa_se": float(result["std_kappa"]),
            "kappa_low": float(result["kappa_low"]), "kappa_upp": float(result["kappa_upp"])}


def evaluate(reference: pd.Series, predicted: pd.Series) -> dict:
    """Agreement of a predicted coding with the reference coding of the same items.

    Returns ``confusion`` (rows reference, columns predicted, FUNCTIONS order),
    ``per_class`` (precision = diagonal / column total, recall = diagonal / row total,
    F1 = their harmonic mean, support = row total; NaN where a total is 0), ``accuracy``
    (share on the diagonal), ``n``, and Cohen's kappa with its standard error and 95 %
    CI (:func:`kappa`).
    """
    table = confusion(reference, predicted)
    counts = table.to_numpy(dtype=float)
    hits = np.diag(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = hits / counts.sum(axis=0)
        recall = hits / counts.sum(axis=1)
        f1 = 2 * precision * recall / (precision + recall)
    per_class = pd.DataFrame({"precision": precision, "recall": recall, "f1": f1,
                              "support": counts.sum(axis=1).astype(int)}, index=pd.Index(FUNCTIONS, name="function"))
    return {"confusion": table, "per_class": per_class, "accuracy": float(hits.sum() / counts.sum()),
            "n": int(counts.sum()), **kappa(counts)}


def errors(tasks: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """Tasks whose predicted function differs from the hand coding, with the rule and the coder's rationale."""
    reference, guess = _paired(tasks["function"], predicted["function"])
    rule = predicted["rule"].reindex(reference.index)
    wrong = reference != guess
    return pd.DataFrame({
        "description": tasks.loc[wrong, "description"], "reference": reference[wrong], "predicted": guess[wrong],
        "rule": rule[wrong], "borderline": tasks.loc[wrong, "borderline"], "rationale": tasks.loc[wrong, "rationale"],
    })


def exercise(tasks: pd.DataFrame, n: int = 20, seed: int = 2020) -> pd.DataFrame:
    """A reproducible random sample of ``n`` tasks for a reader to code: ids and descriptions, no answers."""
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(tasks):
        raise ValueError(f"n must be a whole number from 1 to the {len(tasks)} tasks, got {n!r}")
    return tasks.sample(n=n, random_state=seed)[["description"]].copy()


def _answers(answers: Mapping | pd.DataFrame | pd.Series, tasks: pd.DataFrame) -> pd.Series:
    """A reader's answers as a Series of functions indexed by task id, checked against the tasks."""
    if isinstance(answers, pd.DataFrame):
        if "function" not in answers.columns:
            raise ValueError(f"answers must have a column 'function', got {list(answers.columns)}")
        answers = answers.set_index("id")["function"] if "id" in answers.columns else answers["function"]
    series = pd.Series(answers, dtype=object)
    series.index = series.index.map(str)
    unknown = [task for task in series.index if task not in tasks.index]
    if unknown:
        raise ValueError(f"answers name task ids {unknown} that are not in tasks")
    return series.map(lambda value: str(value).strip().lower())


def score_exercise(answers: Mapping | pd.DataFrame, tasks: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """A reader's agreement with the hand coding and with the classifier, on the tasks they coded.

    ``answers``: {task id: function}, or a DataFrame with columns id (or an id index) and
    function. One row per comparison ("reference", "classifier"): n, agreed, share
    agreed, and Cohen's kappa (:func:`kappa`; NaN if both sides use one function only).
    """
    reader = _answers(answers, tasks)
    rows = {}
    for name, other in (("reference", tasks["function"]), ("classifier", predicted["function"])):
        table = confusion(reader, other.reindex(reader.index), ("answers", name))
        agreed = int(np.trace(table.to_numpy()))
        rows[name] = {"n": len(reader), "agreed": agreed, "share": agreed / len(reader),
                      "kappa": kappa(table)["kappa"]}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("compared_with")


def by_domain(tasks: pd.DataFrame) -> pd.DataFrame:
    """Share of each function among the tasks of each domain (rows sum to 1), with the number of tasks."""
    shares = pd.crosstab(tasks["domain"], pd.Categorical(tasks["function"], FUNCTIONS), normalize="index",
                         dropna=False)
    shares = shares.reindex(columns=FUNCTIONS, fill_value=0.0)
    shares.columns.name = "function"
    shares["n"] = tasks.groupby("domain").size()
    return shares


def load_occupation_hosts(occupations: Iterable[str], path: str | Path = OCCUPATION_HOSTS) -> tuple[pd.DataFrame, int]:
    """Which functions each OLI occupation can host (booleans, with the reason), and the averaging window.

    ``occupations`` are the OLI's occupations: each must appear in the file exactly once, and
    the file may name no other occupation or function.
    """
    where = paths.shown(Path(path))
    config = _read_yaml(path)
    if not isinstance(config, dict) or not isinstance(config.get("occupations"), dict):
        raise ValueError(f"{where}: expected a mapping with an 'occupations' mapping")
    window = config.get("window_months")
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"{where}: 'window_months' must be a whole number of months >= 1, got {window!r}")
    expected, found = set(occupations), set(config["occupations"])
    if expected != found:
        raise ValueError(f"{where}: occupations must be exactly the OLI's; missing {sorted(expected - found)}, "
                         f"unknown {sorted(found - expected)}")
    rows = {}
    for occupation, entry in config["occupations"].items():
        functions = entry.get("functions") if isinstance(entry, dict) else None
        if not isinstance(functions, list) or set(functions) - set(FUNCTIONS) or _blank(entry.get("reason")):
            raise ValueError(f"{where}: occupation '{occupation}' needs 'functions' (a list drawn from "
                             f"{list(FUNCTIONS)}) and a 'reason'")
        rows[occupation] = {**{function: function in functions for function in FUNCTIONS},
                            "reason": " ".join(str(entry["reason"]).split())}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("occupation"), window


def reach_in_demand(hosts: pd.DataFrame, shares: pd.DataFrame, window_months: int) -> pd.DataFrame:
    """Per function: the OLI occupations that can host it and their summed share of demand (an upper bound).

    ``shares`` are monthly demand shares in percent by occupation (``analysis.demand.shares``);
    they are averaged over the last ``window_months`` months.
    """
    if window_months > len(shares):
        raise ValueError(f"window of {window_months} months is longer than the {len(shares)} months of demand shares")
    recent = shares.tail(window_months)
    average = recent[hosts.index].mean() / 100
    rows = {}
    for function in FUNCTIONS:
        hosting = hosts.index[hosts[function]]
        rows[function] = {"occupations": ", ".join(hosting), "upper_bound_share": float(average[hosting].sum())}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("function")
    table.attrs["window"] = f"{recent.index[0]:%Y-%m} to {recent.index[-1]:%Y-%m}"
    return table


def plot_confusion(table: pd.DataFrame, title: str = "Hand coding against the keyword rules") -> Figure:
    """Heatmap of a confusion table, annotated with the counts."""
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    sns.heatmap(table, annot=True, fmt="d", cmap="Blues", cbar=False, linewidths=0.5, ax=ax)
    ax.set_xlabel("predicted (keyword rules)")
    ax.set_ylabel("reference (hand coding)")
    ax.set_title(title)
    return fig


def plot_by_domain(table: pd.DataFrame, title: str = "Functions of AI labour by domain") -> Figure:
    """Horizontal stacked bars of the share of each function within each domain (from :func:`by_domain`)."""
    shares = table[list(FUNCTIONS)]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(shares) + 1.5))
    left = np.zeros(len(shares))
    for function, colour in zip(FUNCTIONS, sns.color_palette("colorblind", len(FUNCTIONS)), strict=True):
        ax.barh(shares.index.astype(str), shares[function], left=left, color=colour, label=function)
        left += shares[function].to_numpy()
    if "n" in table:
        ax.set_yticks(range(len(shares)), [f"{domain} (n = {count})" for domain, count in table["n"].items()])
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of tasks")
    ax.invert_yaxis()
    ax.legend(title="function", loc="lower center", bbox_to_anchor=(0.5, 1.02), ncol=len(FUNCTIONS), frameon=False)
    ax.set_title(title, pad=30)
    return fig
