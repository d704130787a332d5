"""Mission Control's charts: pure functions from Starbase's ``Overview`` to plotly figures (and the
aggregates behind them), so they are tested without Reflex or a browser."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date

import plotly.graph_objects as go

from starbase.services.overview import Overview

OUTCOMES = ("succeeded", "failed", "cancelled", "timed_out")
STATUS_COLORS = {
    "running": "#30a46c",
    "deploying": "#0090ff",
    "crash_looping": "#e5484d",
    "failed": "#e5484d",
    "degraded": "#ffb224",
    "unplaced": "#ffb224",
    "new": "#8b8d98",
    "stopped": "#8b8d98",
}
LEASE_COLORS = {"ready": "#30a46c", "suspect": "#ffb224", "offline": "#e5484d", "pending": "#8b8d98"}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def apps_by_status(ov: Overview) -> dict[str, Counter[str]]:
    """cluster → status → number of apps ("unplaced" apps have no cluster)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for app in ov.apps:
        out[app.cluster or "(none)"][app.status] += 1
    return dict(out)


def deploys_per_day(ov: Overview) -> dict[date, Counter[str]]:
    """day → outcome → finished builds (running and queued builds are not outcomes yet)."""
    out: dict[date, Counter[str]] = defaultdict(Counter)
    for b in ov.builds:
        if b.state in OUTCOMES:
            out[b.created_at.date()][b.state] += 1
    return dict(sorted(out.items()))


def build_durations(ov: Overview) -> dict[date, tuple[float, float]]:
    """day → (p50, p95) seconds of the builds that ran to an end that day."""
    per_day: dict[date, list[float]] = defaultdict(list)
    for b in ov.builds:
        if b.duration_s is not None:
            per_day[b.created_at.date()].append(b.duration_s)
    return {d: (percentile(v, 50), percentile(v, 95)) for d, v in sorted(per_day.items())}


def lease_states(ov: Overview) -> Counter[str]:
    return Counter(c.lease_state for c in ov.clusters)


def _layout(fig: go.Figure, title: str, *, dark: bool) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        template="plotly_dark" if dark else "plotly_white",
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 40, "r": 16, "t": 40, "b": 32},
        height=280,
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def _empty(fig: go.Figure, message: str) -> go.Figure:
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def status_figure(ov: Overview, *, dark: bool = False) -> go.Figure:
    data = apps_by_status(ov)
    fig = go.Figure()
    statuses = sorted({s for counts in data.values() for s in counts})
    clusters = sorted(data)
    for status in statuses:
        fig.add_bar(
            name=status,
            x=clusters,
            y=[data[c][status] for c in clusters],
            marker_color=STATUS_COLORS.get(status, "#8b8d98"),
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(dtick=1)
    if not data:
        _empty(fig, "no apps yet")
    return _layout(fig, "Apps by status per cluster", dark=dark)


def deploys_figure(ov: Overview, *, dark: bool = False) -> go.Figure:
    data = deploys_per_day(ov)
    days = list(data)
    labels = [d.isoformat() for d in days]
    fig = go.Figure()
    colors = {"succeeded": "#30a46c", "failed": "#e5484d", "cancelled": "#8b8d98", "timed_out": "#ffb224"}
    for outcome in OUTCOMES:
        if any(data[d][outcome] for d in days):
            fig.add_bar(name=outcome, x=labels, y=[data[d][outcome] for d in days], marker_color=colors[outcome])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    if not days:
        _empty(fig, "no finished builds in this range")
    return _layout(fig, "Deploys per day by outcome", dark=dark)


def durations_figure(ov: Overview, *, dark: bool = False) -> go.Figure:
    data = build_durations(ov)
    days = list(data)
    labels = [d.isoformat() for d in days]
    fig = go.Figure()
    fig.add_scatter(name="p50", x=labels, y=[data[d][0] for d in days], mode="lines+markers")
    fig.add_scatter(name="p95", x=labels, y=[data[d][1] for d in days], mode="lines+markers")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="seconds", rangemode="tozero")
    if not days:
        _empty(fig, "no builds in this range")
    return _layout(fig, "Build duration p50 / p95", dark=dark)


def usage_figure(ov: Overview, metric: str, *, dark: bool = False) -> go.Figure:
    series: dict[str, tuple[list[object], list[float]]] = defaultdict(lambda: ([], []))
    for p in ov.usage:
        if p.metric == metric:
            xs, ys = series[f"{p.workspace}/{p.app}"]
            xs.append(p.ts)
            ys.append(p.value)
    fig = go.Figure()
    for name, (xs, ys) in sorted(series.items()):
        fig.add_scatter(name=name, x=xs, y=ys, mode="lines")
    unit = "millicores" if metric == "app_cpu_millis" else "MB"
    fig.update_yaxes(title_text=unit)
    if not series:
        _empty(fig, "no samples from Shuttle in this range")
    title = "CPU per app" if metric == "app_cpu_millis" else "Memory per app"
    return _layout(fig, title, dark=dark)


def leases_figure(ov: Overview, *, dark: bool = False) -> go.Figure:
    data = lease_states(ov)
    states = sorted(data)
    fig = go.Figure()
    fig.add_bar(x=states, y=[data[s] for s in states], marker_color=[LEASE_COLORS.get(s, "#8b8d98") for s in states])
    if not states:
        _empty(fig, "no clusters")
    return _layout(fig, "Cluster leases", dark=dark)
