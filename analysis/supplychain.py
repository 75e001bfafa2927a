"""The human supply chain of a voice assistant, and the data-protection regime of each link.

Tubaro & Casilli (2022, "Human listeners and virtual assistants: privacy and labor
arbitrage in the production of smart technologies", in Graham & Ferrari (eds), *Digital
Work in the Planetary Market*, MIT Press, pp. 175-190, CC BY 4.0) show that the people who
listen to voice-assistant recordings are hired through chains of firms that cross
borders. The example chain here comes from P. Tubaro's blog post announcing the chapter
(databigandsmall.com, tag voice-assistants). It was **not checked against the chapter
text** (see ``data/supply-chain/PROVENANCE.md``). In that chain, a US smart-speaker
producer outsources AI verification to a Chinese platform; the platform relies on a
Japanese online service and a Spanish subcontractor to recruit workers in France; an
Italian company supervises the workers, who sign up to a micro-task platform that the
producer runs in the US.

- :func:`load_chain`: the chain as a directed acyclic graph. An edge points the way the
  work and the users' recordings travel, from the lead firm towards the workers.
  Payment goes the same way; labels and transcriptions go back, against the arrows.
- :func:`regime`: whether the EU GDPR, an EU adequacy decision or neither applied in a
  country on a date, from ``data/reference/eu-data-protection.csv`` (coded up to
  :data:`CODED_UNTIL`).
- :func:`actors_table`, :func:`links_table`, :func:`draw_chain`: the chain with the
  regimes of a given date. ``links_table`` shows where personal data of EU users cross
  out of the GDPR, :func:`recording_routes` every route from the users to the workers.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis import data, paths, plotting
from analysis.data import DataError, csv_lines

ACTORS = "supply-chain-actors"
LINKS = "supply-chain-links"
REGIMES = "eu-data-protection"
CODED_UNTIL = "2024-12-31"
GDPR_FROM = "2018-05-25"
GDPR, ADEQUACY, NEITHER = "EU GDPR", "EU adequacy decision", "neither"
REGIME_NAMES = (GDPR, ADEQUACY, NEITHER)
EARNINGS_COLUMNS = ["monthly_ppp", "year", "note"]
ISO3 = re.compile(r"^[A-Z]{3}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Regime:
    """The data-protection regime of one country on one date (``scope`` and ``legal_act`` None for neither)."""

    regime: str
    scope: str | None = None
    legal_act: str | None = None


def _bad_lines(where: str, mask: pd.Series, problem: str) -> None:
    if mask.any():
        raise DataError(f"{where}: {problem} on {csv_lines(mask)}")


def load_chain(actors: Path | None = None, links: Path | None = None) -> nx.DiGraph:
    """The supply chain as a directed acyclic graph: nodes are actor ids, edges the links.

    Nodes carry ``actor``, ``country``, ``iso3``, ``role`` and ``tier``; edges carry
    ``relation`` and ``evidence``. ``actors`` and ``links`` default to the registered files.
    Another file is checked against the same registry entry, including its checksum.
    Raises :class:`DataError` naming the file and CSV lines for a bad country code, a link
    to an unknown actor, a self-loop or a repeated link, and naming the file and the
    actors for a cycle.
    """
    actors_entry, links_entry = data.dataset(ACTORS), data.dataset(LINKS)
    nodes = data.read_checked(actors_entry, actors)
    edges = data.read_checked(links_entry, links)
    nodes_where = paths.shown(actors_entry.path if actors is None else actors)
    links_where = paths.shown(links_entry.path if links is None else links)
    _bad_lines(nodes_where, ~nodes["iso3"].str.fullmatch(ISO3), "column 'iso3' is not three capital letters")
    known = set(nodes["id"])
    dangling = ~edges["source"].isin(known) | ~edges["target"].isin(known)
    _bad_lines(links_where, dangling, f"a link names an actor that is not in {nodes_where} (ids {sorted(known)})")
    _bad_lines(links_where, edges["source"] == edges["target"], "a link goes from an actor to itself")
    _bad_lines(links_where, edges.duplicated(["source", "target"], keep=False), "the same link is listed twice")

    graph = nx.DiGraph()
    for row in nodes.sort_values("id").itertuples(index=False):
        graph.add_node(int(row.id), actor=row.actor, country=row.country, iso3=row.iso3, role=row.role,
                       tier=int(row.tier))
    for row in edges.itertuples(index=False):
        graph.add_edge(int(row.source), int(row.target), relation=row.relation, evidence=row.evidence)
    if not nx.is_directed_acyclic_graph(graph):
        cycle = " -> ".join(str(source) for source, _ in nx.find_cycle(graph))
        raise DataError(f"{links_where}: the links form a cycle through actors {cycle}; the chain must be acyclic")
    return graph


def _parse_date(text: object) -> date | None:
    """``text`` as a date if it is a valid YYYY-MM-DD string, else None."""
    if not isinstance(text, str) or not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def load_regimes(path: Path | None = None) -> pd.DataFrame:
    """The EU data-protection regimes table, checked, with the two date columns as dates.

    ``path`` defaults to the registered file. Beyond the registry schema, it checks that
    ``iso3`` is three capital letters, that the dates are valid YYYY-MM-DD with from <= until,
    that ``ended_by`` is given exactly when ``in_force_until`` is, and that no jurisdiction has
    two rows in force on the same day. Errors name the file and the CSV lines.
    """
    entry = data.dataset(REGIMES)
    table = data.read_checked(entry, path)
    where = paths.shown(entry.path if path is None else path)
    _bad_lines(where, ~table["iso3"].str.fullmatch(ISO3), "column 'iso3' is not three capital letters")
    for column in ("in_force_from", "in_force_until"):
        parsed = table[column].map(_parse_date)
        _bad_lines(where, table[column].notna() & parsed.isna(), f"column '{column}' is not a date YYYY-MM-DD")
        table[column] = parsed
    until = table["in_force_until"]
    _bad_lines(where, until.notna() & (table["in_force_from"] > until.fillna(date.max)),
               "'in_force_from' is after 'in_force_until'")
    _bad_lines(where, until.isna() != table["ended_by"].isna(),
               "'ended_by' must be given exactly when 'in_force_until' is")
    overlapping = pd.Series(False, index=table.index)
    for _, rows in table.groupby("iso3"):
        periods = rows.sort_values("in_force_from")
        ends = periods["in_force_until"].fillna(date.max)
        clash = periods["in_force_from"].iloc[1:].to_numpy() <= ends.iloc[:-1].to_numpy()
        for position in clash.nonzero()[0]:
            overlapping[periods.index[position]] = overlapping[periods.index[position + 1]] = True
    _bad_lines(where, overlapping, "two rows of the same jurisdiction are in force on the same day")
    return table


@cache
def _regimes() -> pd.DataFrame:
    return load_regimes()


def _checked_date(on: object) -> date:
    """``on`` as a date, if it is a YYYY-MM-DD string within the coded range."""
    parsed = _parse_date(on)
    if parsed is None or not date.fromisoformat(GDPR_FROM) <= parsed <= date.fromisoformat(CODED_UNTIL):
        raise ValueError(f"on must be a date YYYY-MM-DD from {GDPR_FROM} to {CODED_UNTIL} (the range the "
                         f"regimes are coded for), got {on!r}")
    return parsed


def regime(iso3: str, on: str) -> Regime:
    """The EU data-protection regime of country ``iso3`` on date ``on`` (YYYY-MM-DD).

    ``EU GDPR`` or ``EU adequacy decision`` with the row's scope and legal act when a row of
    the table is in force that day (from <= on <= until, until inclusive); otherwise
    ``neither``. The table lists only EEA and adequacy jurisdictions, so any other valid code
    is ``neither``. ``on`` must lie between :data:`GDPR_FROM` and :data:`CODED_UNTIL`.
    """
    if not isinstance(iso3, str) or not ISO3.match(iso3):
        raise ValueError(f"iso3 must be an ISO 3166-1 alpha-3 code (three capital letters), got {iso3!r}")
    day = _checked_date(on)
    table = _regimes()
    in_force = (table["iso3"] == iso3) & (table["in_force_from"] <= day) \
        & table["in_force_until"].map(lambda until: pd.isna(until) or day <= until)
    if not in_force.any():
        return Regime(NEITHER)
    row = table[in_force].iloc[0]  # load_regimes guarantees at most one
    return Regime(row["regime"], row["scope"], row["legal_act"])


def actors_table(graph: nx.DiGraph, on: str, earnings: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per actor, in id order, with the data-protection regime of its country on ``on``.

    Columns: id, actor, country, iso3, role, regime, scope, legal_act. If ``earnings`` is
    given (indexed by iso3, with columns monthly_ppp, year and note), those columns are
    joined on iso3. Countries without earnings keep their row, with NaN.
    """
    rows = [{"id": node, **{key: attributes[key] for key in ("actor", "country", "iso3", "role")},
             **asdict(regime(attributes["iso3"], on))} for node, attributes in sorted(graph.nodes(data=True))]
    table = pd.DataFrame(rows)
    if earnings is None:
        return table
    missing = [column for column in EARNINGS_COLUMNS if column not in earnings.columns]
    if missing:
        raise ValueError(f"earnings lacks the columns {missing} (needs {EARNINGS_COLUMNS}, indexed by iso3)")
    repeated = sorted(set(earnings.index[earnings.index.duplicated()]))
    if repeated:
        raise ValueError(f"earnings must have one row per iso3; repeated: {repeated}")
    joined = table.join(earnings[EARNINGS_COLUMNS], on="iso3")
    if pd.api.types.is_integer_dtype(earnings["year"]):
        joined["year"] = joined["year"].astype("Int64")  # NaN for countries without earnings made it float
    return joined


def links_table(graph: nx.DiGraph, on: str) -> pd.DataFrame:
    """One row per link (by source, then target), with both ends' regimes on ``on``.

    ``leaves_gdpr``: the source's country is under the EU GDPR and the target's is not. Work
    and recordings cross out of the GDPR along the arrow.
    ``labels_leave_gdpr``: the same against the arrow. The labels and transcriptions of EU
    users' recordings, sent back from the target, leave the GDPR.
    """
    rows = []
    for source, target in sorted(graph.edges):
        ends = {end: graph.nodes[node] for end, node in (("source", source), ("target", target))}
        regimes = {end: regime(attributes["iso3"], on).regime for end, attributes in ends.items()}
        rows.append({
            "source": source, "source_actor": ends["source"]["actor"], "source_country": ends["source"]["country"],
            "target": target, "target_actor": ends["target"]["actor"], "target_country": ends["target"]["country"],
            "relation": graph.edges[source, target]["relation"], "evidence": graph.edges[source, target]["evidence"],
            "source_regime": regimes["source"], "target_regime": regimes["target"],
            "leaves_gdpr": regimes["source"] == GDPR and regimes["target"] != GDPR,
            "labels_leave_gdpr": regimes["target"] == GDPR and regimes["source"] != GDPR,
        })
    return pd.DataFrame(rows)


def summary(graph: nx.DiGraph) -> pd.Series:
    """Size and shape of the chain: actors, links, countries, routes from the lead firm to the workers."""
    workers = _workers(graph)
    return pd.Series({
        "actors": graph.number_of_nodes(),
        "links": graph.number_of_edges(),
        "countries": len({iso3 for _, iso3 in graph.nodes(data="iso3")}),
        "acyclic (a chain, not a loop)": nx.is_directed_acyclic_graph(graph),
        "routes from the lead firm to the workers": len(_routes(graph)),
        "longest route (links)": nx.dag_longest_path_length(graph),
        "actors the workers answer to directly": sum(graph.in_degree(node) for node in workers),
    }, name="the chain", dtype=object)


def _lead_firm(graph: nx.DiGraph) -> int:
    leads = [node for node, tier in graph.nodes(data="tier") if tier == 0]
    if len(leads) != 1:
        raise ValueError(f"the chain must have exactly one lead firm (tier 0), found {len(leads)}")
    return leads[0]


def _workers(graph: nx.DiGraph) -> list[int]:
    """The actors with no outgoing link: where the work ends."""
    return sorted(node for node in graph.nodes if graph.out_degree(node) == 0)


def _routes(graph: nx.DiGraph) -> list[list[int]]:
    """Every path from the lead firm to the workers, in order."""
    lead = _lead_firm(graph)
    return [path for end in _workers(graph) for path in sorted(nx.all_simple_paths(graph, lead, end))]


def recording_routes(graph: nx.DiGraph, on: str, users_iso3: str) -> pd.DataFrame:
    """Every route a user's recording can take to the workers, with the regime of each country passed.

    A route starts with the users (country ``users_iso3``, whose recordings the lead firm
    collects), then follows the links from the lead firm (tier 0) to each actor without
    outgoing links. ``outside_gdpr``: the countries on the route not under the EU GDPR on
    ``on``, in order — where EU users' recordings are held under another regime;
    ``via_no_adequacy``: the route passes through a country with neither the GDPR nor an
    adequacy decision.
    """
    users = regime(users_iso3, on)
    rows = []
    for path in _routes(graph):
        stops = [("users", users_iso3, users.regime)] + [
            (graph.nodes[node]["actor"], graph.nodes[node]["iso3"], regime(graph.nodes[node]["iso3"], on).regime)
            for node in path]
        rows.append({
            "route": " -> ".join(f"{actor} ({iso3})" for actor, iso3, _ in stops),
            "regimes": " -> ".join(name for *_, name in stops),
            "outside_gdpr": ", ".join(dict.fromkeys(iso3 for _, iso3, name in stops if name != GDPR)),
            "via_no_adequacy": any(name == NEITHER for *_, name in stops),
        })
    return pd.DataFrame(rows)


def _layout(graph: nx.DiGraph) -> dict[int, tuple[float, float]]:
    """x = tier; within a tier, actors top to bottom in id order, centred on y = 0."""
    positions = {}
    for tier in sorted({attributes["tier"] for _, attributes in graph.nodes(data=True)}):
        members = sorted(node for node, attributes in graph.nodes(data=True) if attributes["tier"] == tier)
        for rank, node in enumerate(members):
            positions[node] = (float(tier), (len(members) - 1) / 2 - rank)
    return positions


def draw_chain(graph: nx.DiGraph, on: str) -> Figure:
    """The chain drawn left to right by tier, nodes coloured by their country's regime on ``on``.

    The layout is deterministic (:func:`_layout`). Nodes are labelled "(id) actor" and
    country, on the side (above or below) with fewer links, or on the right for the last
    tier. Edges are labelled with their relation. Arrows point the way work and recordings travel.
    """
    palette = sns.color_palette(plotting.PALETTE)
    colours = {GDPR: palette[0], ADEQUACY: palette[2], NEITHER: palette[7]}
    positions = _layout(graph)
    node_regime = {node: regime(attributes["iso3"], on).regime for node, attributes in graph.nodes(data=True)}
    nodes = sorted(graph.nodes)
    node_size = 700
    fig, ax = plt.subplots(figsize=(10, 6))
    nx.draw_networkx_nodes(graph, positions, nodelist=nodes, node_color=[colours[node_regime[n]] for n in nodes],
                           node_size=node_size, edgecolors="black", linewidths=0.8, ax=ax)
    nx.draw_networkx_edges(graph, positions, node_size=node_size, arrows=True, arrowstyle="-|>", arrowsize=16,
                           width=1.2, edge_color="0.35", ax=ax)
    edge_labels = {(source, target): textwrap.fill(relation, 16)
                   for source, target, relation in graph.edges(data="relation")}
    spans = {edge: positions[edge[1]][0] - positions[edge[0]][0] for edge in edge_labels}
    for span in sorted(set(spans.values())):
        # each label mid-way across the last gap between tiers, clear of the labels of the tiers it crosses
        nx.draw_networkx_edge_labels(graph, positions, edge_labels={edge: label for edge, label in edge_labels.items()
                                                                    if spans[edge] == span},
                                     label_pos=1 - 0.5 / span if span >= 1 else 0.5, font_size=8, rotate=False,
                                     bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                           "alpha": 0.85}, ax=ax)
    last_tier = max(x for x, _ in positions.values())
    box = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
    for node in nodes:
        x, y = positions[node]
        actor = textwrap.fill(f"({node}) {graph.nodes[node]['actor']}", 20, break_on_hyphens=False)
        label = f"{actor}\n{graph.nodes[node]['country']}"
        if x == last_tier:  # the arrows converge on the last tier from the left
            ax.text(x + 0.08, y, label, ha="left", va="center", fontsize=9, zorder=4, bbox=box)
            continue
        neighbour_ys = [positions[other][1] for other in nx.all_neighbors(graph, node)]
        above = sum(other > y for other in neighbour_ys) < sum(other < y for other in neighbour_ys)
        ax.text(x, y + 0.17 if above else y - 0.17, label, ha="center", va="bottom" if above else "top",
                fontsize=9, zorder=4, bbox=box)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=10, markerfacecolor=colours[name],
                      markeredgecolor="black", label=name) for name in REGIME_NAMES]
    ax.legend(handles=handles, title=f"EU data protection on {on}", loc="upper center",
              bbox_to_anchor=(0.5, -0.02), ncol=len(REGIME_NAMES), frameon=False)
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.75, max(ys) + 0.75)
    ax.set_axis_off()
    ax.set_title(f"The human supply chain of a voice assistant, with data-protection regimes on {on}")
    return fig
