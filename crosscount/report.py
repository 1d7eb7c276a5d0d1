"""Reports of a reconciliation: self-contained HTML (charts inside), Markdown and JSON.

All three carry the same content, and they answer first: a summary table (per variable the
latest low / best / high, the best figure's source and date, statements and open conflicts),
the conflicts as a small table (A | B | gap | why), then the variables, most-disputed first,
each with its timeline, estimates, findings and statements (with the sentences that carry
them). Words, numbers and dates come from ``crosscount.present``, as in the web app and CLI.

The HTML opens offline: plotly's JavaScript is inlined once per file, gzip-compressed, and
unpacked by the browser (``DecompressionStream``), so a small corpus gives a small file.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from crosscount import present
from crosscount.errors import CrosscountError
from crosscount.models import Claim, Finding, Statement, Variable
from crosscount.reconcile import DocLike, Reconciliation, fmt_num, parse_as_of

__all__ = [
    "REPORT_FORMATS",
    "ReportFormatError",
    "chart_key",
    "conflict_table_row",
    "estimate_dict",
    "finding_row",
    "render_report",
    "render_svg",
    "report_data",
    "statement_row",
    "timeline_figure",
    "write_report",
    "write_timeline_plot",
]

DEFAULT_TITLE = "crosscount: who says how many, as of when"
FINDING_ORDER = ("conflict", "evolution", "revision", "agreement", "check", "estimate")
# 24 colours that stay apart (plotly's Dark24); past 24 sources the shape of a closed figure changes.
PALETTE = (
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
    "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
    "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038",
)  # fmt: skip
CLOSED_SYMBOLS = ("circle", "square", "pentagon", "hexagon", "star")
MIN_SPAN_DAYS = 60
_TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"


class ReportFormatError(CrosscountError, ValueError):
    """A report or plot was asked for in a format crosscount cannot write (see the message)."""


# --------------------------------------------------------------------------------------------
# Where a statement sits on the time axis


def _span(st: Statement) -> tuple[date, date, str] | None:
    """The days a statement's date covers: one day, a month, or a year; None when undated."""
    parsed = parse_as_of(st.date)
    if parsed is None:
        return None
    d0, d1, prec = parsed
    return date.fromordinal(d0), date.fromordinal(d1), prec


def _x_date(st: Statement) -> str | None:
    """The middle of a statement's date span (its day, mid-month or mid-year)."""
    span = _span(st)
    if span is None:
        return None
    d0, d1, prec = span
    return (d0 if prec == "day" else d0 + (d1 - d0) / 2).isoformat()


def _point(st: Statement) -> float | None:
    if st.low is not None and st.high is not None:
        return (st.low + st.high) / 2
    return st.low if st.low is not None else st.high


def _period_span(f: Finding, sts: Sequence[Statement]) -> tuple[date, date] | None:
    """The days an estimate's period covers, from its label or else its statements' dates."""
    label = (f.period or "").replace(" (year only)", "")
    if " to " in label:
        a, _, b = label.partition(" to ")
        pa, pb = parse_as_of(a), parse_as_of(b)
        if pa and pb:
            return date.fromordinal(pa[0]), date.fromordinal(pb[1])
    parsed = parse_as_of(label)
    if parsed is not None:
        return date.fromordinal(parsed[0]), date.fromordinal(parsed[1])
    spans = [sp for sp in (_span(s) for s in sts) if sp is not None]
    if not spans:
        return None
    return min(sp[0] for sp in spans), max(sp[1] for sp in spans)


def chart_key(var: Variable, sts: Sequence[Statement]) -> dict[str, int]:
    """How many statements are plotted and how many are left off the chart (undated or no value)."""
    plotted = sum(1 for s in sts if _span(s) is not None and _point(s) is not None)
    return {"plotted": plotted, "undated": len(sts) - plotted}


# --------------------------------------------------------------------------------------------
# Content shared by every format


def _sentences(claims: Iterable[Claim] | None) -> dict[tuple[str, int], tuple[str, str]]:
    out: dict[tuple[str, int], tuple[str, str]] = {}
    for c in claims or ():
        out[(c.doc, c.start)] = (c.sentence, c.figure)
    return out


def _bolded(sentence: str, figure: str) -> list[tuple[str, bool]]:
    """A sentence cut into (text, is-the-figure) pieces, the figure found case-insensitively."""
    at = sentence.lower().find(figure.lower()) if figure else -1
    if at < 0:
        return [(sentence, False)]
    return [(sentence[:at], False), (sentence[at : at + len(figure)], True), (sentence[at + len(figure) :], False)]


def statement_row(
    st: Statement,
    docs: Mapping[str, DocLike],
    sentences: Mapping[tuple[str, int], tuple[str, str]],
    statements: Mapping[str, Statement],
) -> dict[str, Any]:
    carriers = []
    for i, d in enumerate(st.docs):
        outlet = st.outlets[i] if i < len(st.outlets) else None
        info = docs.get(d)
        carriers.append(
            {
                "doc": d,
                "outlet": present.outlet_name(outlet or (info.outlet if info else None)),
                "published": present.date_text(info.published) if info and info.published else None,
            }
        )
    seen: set[str] = set()
    said: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    for doc, start, _end in st.claims:
        idx = st.docs.index(doc) if doc in st.docs else -1
        outlet = st.outlets[idx] if 0 <= idx < len(st.outlets) else None
        info = docs.get(doc)
        evidence.append(
            {
                "doc": doc,
                "start": start,
                "outlet": present.outlet_name(outlet or (info.outlet if info else None)),
                "published": present.date_text(info.published) if info and info.published else None,
            }
        )
        hit = sentences.get((doc, start))
        if hit is None or not hit[0] or hit[0] in seen:
            continue
        seen.add(hit[0])
        said.append(
            {
                "outlet": evidence[-1]["outlet"],
                "pieces": _bolded(hit[0], hit[1]),
                "text": hit[0],
            }
        )
    derived = [statements[i] for i in st.derived_from if i in statements]
    return {
        "id": st.id,
        "source": present.source_name(st.source, st.outlets),
        "source_key": st.source,
        "figure": st.figure,
        "figures": st.figures,
        "value": present.value(st.low, st.high, st.unit),
        "when": present.statement_when(st),
        "as_of": st.as_of,
        "date": st.date,
        "date_basis": present.basis_word(st.date_basis),
        "period": present.period_text(st.period),
        "kind": st.kind,
        "computed": st.computed,
        "derived_from": [f"{present.source_name(d.source, d.outlets)}: {d.figure}" for d in derived],
        "location": st.location,
        "vias": st.vias,
        "carriers": carriers,
        "outlets": len(st.docs),
        "note": present.clean_text(st.note) if st.note else None,
        "sentences": said,
        "evidence": evidence,
        "derived_ids": [d.id for d in derived],
    }


def _ordered_findings(findings: Sequence[Finding]) -> list[Finding]:
    rank = {t: i for i, t in enumerate(FINDING_ORDER)}
    return sorted(findings, key=lambda f: (rank.get(f.type, 99), present.period_key(f.period), f.id))


def finding_row(f: Finding, statements: Mapping[str, Statement]) -> dict[str, Any]:
    verdict = "" if f.type != "check" else ("passed" if f.passed else "failed")
    return {
        "id": f.id,
        "type": f.type,
        "label": f.type + (f" {verdict}" if verdict else ""),
        "passed": f.passed,
        "period": present.period_text(f.period),
        "sentence": present.finding_sentence(f, statements),
        "arithmetic": f.arithmetic,
        "rule": f.rule,
        "tooltip": present.finding_title(f),
        "text": present.clean_text(f.text),
    }


def conflict_table_row(f: Finding, statements: Mapping[str, Statement], titles: Mapping[str, str]) -> dict[str, Any]:
    row = present.conflict_row(f, statements)

    def side(sts: Sequence[Statement]) -> list[str]:
        return [
            f"{present.source_name(s.source, s.outlets)}: {present.value(s.low, s.high, s.unit)} "
            f"({present.statement_when(s)})"
            for s in sts
        ]

    return {
        "id": f.id,
        "variable": f.variable,
        "title": titles.get(f.variable or "", f.measure),
        "period": row.period,
        "a": side(row.side_a),
        "b": side(row.side_b),
        "gap": row.gap,
        "why": row.why,
        "tooltip": present.finding_title(f),
    }


def report_data(
    rec: Reconciliation,
    docs: Mapping[str, DocLike],
    title: str = DEFAULT_TITLE,
    *,
    claims: Iterable[Claim] | None = None,
) -> dict[str, Any]:
    """The content every format renders: counts, summary, conflicts, then each variable in full."""
    sentences = _sentences(claims)
    statements = {s.id: s for s in rec.statements}
    by_var: dict[str | None, list[Finding]] = defaultdict(list)
    for f in rec.findings:
        by_var[f.variable].append(f)
    titles = {v.id: present.variable_title(v) for v in rec.variables}
    variables: list[dict[str, Any]] = []
    for var in rec.variables:
        sts = [statements[i] for i in var.statements if i in statements]
        fs = _ordered_findings(by_var.get(var.id, []))
        ests = sorted((f for f in fs if f.type == "estimate"), key=lambda f: present.period_key(f.period))
        est_rows = [present.estimate_row(f, statements, var.unit) for f in ests]
        latest = est_rows[-1] if est_rows else None
        conflicts = sum(1 for f in fs if f.type == "conflict")
        variables.append(
            {
                "id": var.id,
                "title": titles[var.id],
                "where": var.location,
                "unit": var.unit,
                "variable": var.to_dict(),
                "statements": [statement_row(s, docs, sentences, statements) for s in sts],
                "findings": [finding_row(f, statements) for f in fs if f.type != "estimate"],
                "estimates": [
                    {**estimate_dict(e), "tooltip": present.finding_title(f)}
                    for e, f in zip(est_rows, ests, strict=True)
                ][::-1],
                "latest": estimate_dict(latest) if latest else None,
                "conflicts": conflicts,
                "sources": len({s.source for s in sts if s.source}),
                "chart": chart_key(var, sts),
            }
        )
    variables.sort(key=lambda v: (-v["conflicts"], -len(v["statements"]), v["title"]))
    conflict_rows = [
        conflict_table_row(f, statements, titles)
        for f in sorted(
            (f for f in rec.findings if f.type == "conflict"),
            key=lambda f: (present.period_key(f.period), f.id),
            reverse=True,
        )
    ]
    unassigned = [finding_row(f, statements) for f in _ordered_findings(by_var.get(None, []))]
    counts = present.counts(len(docs), rec.statements, len(rec.variables), rec.findings)
    checks = [f for f in rec.findings if f.type == "check"]
    return {
        "title": title,
        "counts": {
            "documents": counts.documents,
            "claims": counts.claims,
            "statements": counts.statements,
            "sources": counts.sources,
            "variables": counts.variables,
            "conflicts": counts.conflicts,
            "checks_passed": sum(1 for f in checks if f.passed),
            "checks_failed": sum(1 for f in checks if f.passed is False),
        },
        "counts_line": counts.line(),
        "variables": variables,
        "conflicts": conflict_rows,
        "other_findings": unassigned,
        "settings": rec.config.to_dict() if rec.config else {},
    }


def estimate_dict(e: present.EstimateRow) -> dict[str, Any]:
    return {
        "id": e.id,
        "period": e.period,
        "low": e.low,
        "best": e.best,
        "high": e.high,
        "median": e.median,
        "best_by": e.best_by,
        "sentence": e.sentence,
        "rule": e.rule,
        "statements": e.statements,
    }


# --------------------------------------------------------------------------------------------
# Charts


def _styles(sources: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Per source a colour and the shape of its closed figures: 24 colours, then the next shape."""
    out = {}
    for i, src in enumerate(sorted(set(sources))):
        out[src] = (PALETTE[i % len(PALETTE)], CLOSED_SYMBOLS[(i // len(PALETTE)) % len(CLOSED_SYMBOLS)])
    return out


_KEY = {
    "closed": "a figure (bigger: more outlets)",
    "triangle-up": "at least (open above)",
    "triangle-down": "at most (open below)",
    "diamond": "computed from a share",
    "projection": "projection (hollow)",
    "span": "month or year only (the line spans it)",
}


def _hover(st: Statement, src: str) -> str:
    e = html.escape
    outlets = ", ".join(present.outlet_name(o) for o in st.outlets) or "no outlet"
    kind = "projection" if st.kind == "projection" else ("computed" if st.computed else "report")
    return (
        f"<b>{e(src)}</b><br>“{e(st.figure)}” = {e(present.value(st.low, st.high, st.unit))}"
        f"<br>{e(present.statement_when(st))}<br>{kind}; {e(present.plural(len(st.docs), 'outlet'))}: {e(outlets)}"
    )


def timeline_figure(rec: Reconciliation, variable_id: str) -> go.Figure:
    """A variable's timeline that does not mislead.

    One colour per source (24 apart, then a new shape); month- and year-only dates drawn as
    spans; intervals as bars without caps; open bounds as triangles; projections hollow and
    their future zone shaded (the first view shows the reported span when projections would
    squeeze it, with a button to show them); the estimate as a translucent band below the
    points with its best figure as a dashed line; a padded time axis of at least
    ``MIN_SPAN_DAYS`` with day-month-year ticks; whole-number ticks for persons; the shapes
    explained in the legend, which sits below the plot; undated statements named, not plotted.
    """
    var = rec.variable(variable_id)
    sts = [rec.statement(i) for i in var.statements]
    key = chart_key(var, sts)
    fig = go.Figure()
    unit = {"percent": "share (%)", "persons_per_day": "persons a day"}.get(var.unit, "persons")
    if key["plotted"] == 0:
        fig.update_layout(
            template=go.layout.Template(),
            height=140,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis={"visible": False},
            yaxis={"visible": False},
            plot_bgcolor="white",
            annotations=[
                {
                    "text": f"No dated figures: {present.plural(key['undated'], 'undated statement')}, listed below.",
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                }
            ],
        )
        return fig
    styles = _styles([s.source or "" for s in sts])
    used: set[str] = set()
    xs_all: list[date] = []
    report_days: list[date] = []
    ymax = 0.0
    # Estimates first, so the points are drawn over their band.
    ests = [f for f in rec.findings if f.variable == variable_id and f.type == "estimate" and f.best is not None]
    known = {s.id: s for s in rec.statements}
    bx: list[str | None] = []
    by: list[float | None] = []
    lx: list[str | None] = []
    ly: list[float | None] = []
    btext: list[str] = []
    for f in ests:
        members = [known[i] for i in f.statements if i in known]
        band = _period_span(f, members)
        if band is None or f.best is None:
            continue
        x0, x1 = band[0].isoformat(), (band[1] + timedelta(days=1)).isoformat()
        lo = f.low if f.low is not None else f.best
        hi = f.high if f.high is not None else f.best
        row = present.estimate_row(f, {s.id: s for s in members}, var.unit)
        label = html.escape(f"estimate {row.period}: low {row.low}, best {row.best}, high {row.high}")
        bx += [x0, x1, x1, x0, x0, None]
        by += [lo, lo, hi, hi, lo, None]
        lx += [x0, x1, None]
        ly += [f.best, f.best, None]
        btext += [label] * 5 + [""]
        ymax = max(ymax, hi)
    if lx:
        fig.add_trace(
            go.Scatter(
                x=bx,
                y=by,
                mode="lines",
                fill="toself",
                fillcolor="rgba(90,90,90,0.12)",
                line={"width": 0},
                hoverinfo="text",
                hovertext=btext,
                name="estimate: low–high band",
                legendgroup="estimate",
                legendrank=1,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=lx,
                y=ly,
                mode="lines",
                line={"color": "#444", "width": 2, "dash": "dash"},
                name="estimate: best",
                legendgroup="estimate",
                hoverinfo="skip",
                legendrank=2,
            )
        )
    by_src: dict[str, list[Statement]] = defaultdict(list)
    for s in sts:
        if _span(s) is not None and _point(s) is not None:
            by_src[s.source or ""].append(s)
    for n_src, (src, group) in enumerate(sorted(by_src.items())):
        colour, closed = styles[src]
        group_id = f"source-{n_src}"
        name = present.source_name(src or None, group[0].outlets)
        xs, ys, up, down, sizes, symbols, texts = [], [], [], [], [], [], []
        sx: list[str | None] = []
        sy: list[float | None] = []
        for s in group:
            span = _span(s)
            p = _point(s)
            assert span is not None and p is not None
            d0, d1, prec = span
            xs.append(_x_date(s))
            ys.append(p)
            xs_all += [d0, d1]
            if s.kind != "projection":
                report_days += [d0, d1]
            ymax = max(ymax, p, s.high if s.high is not None else p)
            up.append((s.high - p) if s.high is not None else 0.0)
            down.append((p - s.low) if s.low is not None else 0.0)
            sizes.append(9 + 3 * min(len(s.docs), 6))
            if s.low is not None and s.high is None:
                base = "triangle-up"
            elif s.high is not None and s.low is None:
                base = "triangle-down"
            elif s.computed:
                base = "diamond"
            else:
                base = closed
            used.add(base if base in _KEY else "closed")
            if s.kind == "projection":
                used.add("projection")
            symbols.append(base + ("-open" if s.kind == "projection" else ""))
            texts.append(_hover(s, name))
            if prec != "day":
                used.add("span")
                sx += [d0.isoformat(), (d1 + timedelta(days=1)).isoformat(), None]
                sy += [p, p, None]
        if sx:
            fig.add_trace(
                go.Scatter(
                    x=sx,
                    y=sy,
                    mode="lines",
                    line={"color": colour, "width": 5},
                    opacity=0.45,
                    legendgroup=group_id,
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
        has_bars = any(u > 0 for u in up) or any(d > 0 for d in down)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                name=html.escape(name, quote=False),
                legendgroup=group_id,
                marker={"color": colour, "size": sizes, "symbol": symbols, "line": {"width": 2, "color": colour}},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": up,
                    "arrayminus": down,
                    "width": 0,
                    "thickness": 2,
                    "color": colour,
                    "visible": has_bars,
                },
                hovertext=texts,
                hoverinfo="text",
            )
        )
    for shape in ("closed", "triangle-up", "triangle-down", "diamond", "projection", "span"):
        if shape not in used:
            continue
        symbol = {"closed": "circle", "projection": "circle-open", "span": "line-ew"}.get(shape, shape)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=_KEY[shape],
                legendgroup="key",
                legendgrouptitle={"text": "shapes"} if shape == next(k for k in _KEY if k in used) else None,
                marker={"color": "#777", "symbol": symbol, "size": 10, "line": {"width": 2, "color": "#777"}},
                hoverinfo="skip",
            )
        )
    lo_d, hi_d = min(xs_all), max(xs_all) + timedelta(days=1)
    shown_lo, shown_hi = _padded(lo_d, hi_d)
    layout: dict[str, Any] = {}
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    if report_days and "projection" in used:
        last_report = max(report_days) + timedelta(days=1)
        if hi_d > last_report:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": last_report.isoformat(),
                    "x1": shown_hi.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": "rgba(120,120,200,0.10)",
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
            annotations.append(
                {
                    "x": last_report.isoformat(),
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "text": "projected →",
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "top",
                    "font": {"size": 11, "color": "#555"},
                }
            )
            r_lo, r_hi = _padded(min(report_days), last_report)
            if (last_report - min(report_days)).days * 2 < (hi_d - lo_d).days:
                # projections would squeeze the reports: show the reports first, projections on a click
                full = [shown_lo.isoformat(), shown_hi.isoformat()]
                reported = [r_lo.isoformat(), r_hi.isoformat()]
                layout["updatemenus"] = [
                    {
                        "type": "buttons",
                        "direction": "right",
                        "x": 0,
                        "y": 1.02,
                        "xanchor": "left",
                        "yanchor": "bottom",
                        "showactive": True,
                        "active": 0,
                        "pad": {"r": 4, "t": 0},
                        "buttons": [
                            {
                                "label": "Reported",
                                "method": "relayout",
                                "args": [{"xaxis.range": reported, "xaxis.tickformat": _tickformat(r_lo, r_hi)}],
                            },
                            {
                                "label": "With projections",
                                "method": "relayout",
                                "args": [{"xaxis.range": full, "xaxis.tickformat": _tickformat(shown_lo, shown_hi)}],
                            },
                        ],
                    }
                ]
                shown_lo, shown_hi = r_lo, r_hi
    ytop = ymax * 1.15 if ymax > 0 else 1.0
    yaxis: dict[str, Any] = {
        "title": {"text": unit},
        "range": [0, ytop],
        "rangemode": "tozero",
        "gridcolor": "#eee",
        "zeroline": True,
        "zerolinecolor": "#bbb",
        "fixedrange": False,
    }
    if var.unit in ("persons", "persons_per_day"):
        yaxis["tickformat"] = ",d"
        if ytop <= 10:
            yaxis["dtick"] = 1
    else:
        yaxis["ticksuffix"] = "%" if var.unit == "percent" else ""
    n_items = len(by_src) + len(used) + (2 if lx else 0)
    fig.update_layout(
        template=go.layout.Template(),
        title={"text": html.escape(present.variable_title(var, with_location=True))},
        xaxis={
            "type": "date",
            "range": [shown_lo.isoformat(), shown_hi.isoformat()],
            "tickformat": _tickformat(shown_lo, shown_hi),
            "gridcolor": "#eee",
            "showline": True,
            "linecolor": "#999",
            "hoverformat": "%-d %b %Y",
        },
        yaxis=yaxis,
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12},
        height=360 + 22 * math.ceil(n_items / 2),
        margin={"l": 60, "r": 16, "t": 56, "b": 40},
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -0.12,
            "yanchor": "top",
            "groupclick": "toggleitem",
            "tracegroupgap": 6,
        },
        hovermode="closest",
        shapes=shapes,
        annotations=annotations,
        **layout,
    )
    return fig


def _padded(lo: date, hi: date) -> tuple[date, date]:
    """A time range with room on both sides and at least MIN_SPAN_DAYS wide."""
    span = (hi - lo).days
    if span < MIN_SPAN_DAYS:
        mid = lo + (hi - lo) / 2
        lo, hi = mid - timedelta(days=MIN_SPAN_DAYS / 2), mid + timedelta(days=MIN_SPAN_DAYS / 2)
        span = MIN_SPAN_DAYS
    pad = timedelta(days=max(3, round(span * 0.06)))
    return lo - pad, hi + pad


def _tickformat(lo: date, hi: date) -> str:
    return "%-d %b %Y" if (hi - lo).days <= 200 else "%b %Y"


def _chart_json(rec: Reconciliation, var_id: str) -> str:
    fig = timeline_figure(rec, var_id)
    fig.update_layout(title=None, margin={"t": 36})
    out: str = pio.to_json(fig, validate=False, remove_uids=True)
    return out


def render_svg(rec: Reconciliation, variable_id: str, width: int = 820, height: int = 400) -> str:
    """A small hand-made SVG timeline (no browser needed): points, interval bars, axes, legend."""
    var = rec.variable(variable_id)
    sts = [rec.statement(i) for i in var.statements]
    plotted = [(s, _x_date(s), _point(s)) for s in sts]
    pts = [(s, x, p) for s, x, p in plotted if x is not None and p is not None]
    chart_title = present.variable_title(var, with_location=True)
    colours = {src: c for src, (c, _shape) in _styles([s.source or "" for s in sts]).items()}
    left, right, top, bottom = 70, 200, 40, 50
    pw, ph = width - left - right, height - top - bottom
    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{e(chart_title)}</text>',
    ]
    if not pts:
        parts.append(f'<text x="{left}" y="{top + 20}">no dated statements to plot</text></svg>')
        return "\n".join(parts)
    days = [date.fromisoformat(x).toordinal() for _, x, _ in pts]
    d_lo, d_hi = min(days), max(days)
    if d_hi == d_lo:
        d_lo, d_hi = d_lo - 15, d_hi + 15
    ymax = max(max(s.high if s.high is not None else p for s, _, p in pts), max(p for _, _, p in pts))
    ymax = ymax * 1.1 if ymax > 0 else 1.0

    def sx(day: int) -> float:
        return left + (day - d_lo) / (d_hi - d_lo) * pw

    def sy(v: float) -> float:
        return top + ph - v / ymax * ph

    parts.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#333"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#333"/>')
    for i in range(6):
        v = ymax * i / 5
        y = sy(v)
        parts.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{e(fmt_num(v))}</text>')
    first = date.fromordinal(d_lo)
    months = []
    y_, m_ = first.year, first.month
    while date(y_, m_, 1).toordinal() <= d_hi:
        months.append(date(y_, m_, 1))
        y_, m_ = (y_ + 1, 1) if m_ == 12 else (y_, m_ + 1)
    step = max(1, len(months) // 8)
    for mday in months[::step]:
        o = mday.toordinal()
        if o < d_lo:
            continue
        x = sx(o)
        parts.append(f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}" stroke="#333"/>')
        parts.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{mday:%Y-%m}</text>')
    for s, xd, p in pts:
        cx, cy = sx(date.fromisoformat(xd).toordinal()), sy(p)
        col = colours[s.source or ""]
        y_hi = sy(s.high) if s.high is not None else top
        y_lo = sy(s.low) if s.low is not None else top + ph
        if abs(y_hi - y_lo) > 1:
            parts.append(
                f'<line x1="{cx:.1f}" y1="{y_hi:.1f}" x2="{cx:.1f}" y2="{y_lo:.1f}" stroke="{col}" stroke-width="2"/>'
            )
        r = 4 + 1.5 * min(len(s.docs), 8)
        fill = "none" if s.kind == "projection" else col
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{fill}" stroke="{col}" stroke-width="2">'
            f"<title>{e(s.source or '')}: {e(s.figure)} ({e(s.date or '')}, "
            f"{len(s.docs)} document(s))</title>"
            "</circle>"
        )
    for i, (src, col) in enumerate(sorted(colours.items())):
        y = top + 14 + i * 18
        parts.append(f'<circle cx="{left + pw + 16}" cy="{y - 4}" r="5" fill="{col}"/>')
        parts.append(f'<text x="{left + pw + 26}" y="{y}">{e(src[:28])}</text>')
    note = "size: documents carrying it; hollow: projection; bars: interval"
    parts.append(f'<text x="{left}" y="{height - 8}" fill="#666">{e(note)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------
# HTML

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined
)


@lru_cache(maxsize=1)
def _plotly_gz() -> str:
    """plotly's JavaScript, gzip-compressed and base64-encoded: a third of its size, unpacked by the browser."""
    return base64.b64encode(gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def _script_json(text: str) -> str:
    """JSON safe inside a <script> element."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _html(rec: Reconciliation, data: dict[str, Any]) -> str:
    """One self-contained page that answers first; plotly's JS inline once (compressed)."""
    charts = {v.id: _script_json(_chart_json(rec, v.id)) for v in rec.variables}
    css = (_TEMPLATES.parent / "static" / "style.css").read_text(encoding="utf-8")
    return _ENV.get_template("report.html").render(
        data=data,
        charts=charts,
        css=css,
        plotly_gz=_plotly_gz(),
        plural=present.plural,
        settings_json=json.dumps(data["settings"], ensure_ascii=False, indent=1),
    )


# --------------------------------------------------------------------------------------------
# Markdown and JSON


def _md(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _md_table(columns: str, rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table: ``columns`` like ``"variable|period|>low"`` (``>`` right-aligns), then one line a row.

    Cells are written as given (escape them with :func:`_md` first)."""
    names = columns.split("|")
    out = ["| " + " | ".join(n.lstrip(">") for n in names) + " |",
           "|" + "|".join("--:" if n.startswith(">") else "---" for n in names) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _markdown(rec: Reconciliation, data: dict[str, Any]) -> str:
    """The same content as the HTML report, as Markdown tables and lists (no charts)."""
    c = data["counts"]

    def summary(v: dict[str, Any]) -> list[object]:
        e = v["latest"]
        cells: list[object] = (
            [_md(e["period"]), _md(e["low"]), f"**{_md(e['best'])}**", _md(e["high"]), _md(e["best_by"])]
            if e else ["no estimate", "", "", "", ""]
        )
        return [_md(v["title"]), *cells, len(v["statements"]), v["conflicts"]]

    out = [
        f"# {_md(data['title'])}",
        "",
        f"{data['counts_line']} · checks: {c['checks_passed']} passed, {c['checks_failed']} failed",
        "",
        "## Summary",
        "",
        *_md_table("variable|period|>low|>best|>high|best figure from|>statements|>conflicts",
                   (summary(v) for v in data["variables"])),
        "", "## Where the sources disagree", "",
    ]
    if data["conflicts"]:
        out += _md_table("variable|period|A says|B says|>gap|why", (
            [_md(r["title"]), _md(r["period"]), _md("; ".join(r["a"])), _md("; ".join(r["b"])), _md(r["gap"]),
             _md(r["why"])] for r in data["conflicts"]))
    else:
        out.append("No conflicts.")
    out.append("")
    for v in data["variables"]:
        out += [f"## {_md(v['title'])}" + (f" in {_md(v['where'])}" if v["where"] else ""), ""]
        if v["estimates"]:
            out += ["### Estimates", ""]
            out += _md_table("period|>low|>best|>high|>median|why", (
                [_md(e["period"]), _md(e["low"]), f"**{_md(e['best'])}**", _md(e["high"]), _md(e["median"]),
                 f"{_md(e['sentence'])} (`{e['id']}`)"] for e in v["estimates"]))
            out.append("")
        if v["findings"]:
            out += ["### Findings", ""]
            for f in v["findings"]:
                line = f"- **{f['label']}** {_md(f['sentence'])} (`{f['id']}`)"
                if f["arithmetic"] and f["type"] != "check":
                    line += f" `{_md(f['arithmetic'])}`"
                out.append(line)
            out.append("")
        out += ["### Statements", ""]
        out += _md_table("as of|source|>value|as written|outlets|id", (_statement_cells(st) for st in v["statements"]))
        out.append("")
    if data["other_findings"]:
        out += ["## Other findings", ""]
        out += [f"- **{f['label']}** {_md(f['sentence'])} (`{f['id']}`)" for f in data["other_findings"]]
        out.append("")
    return "\n".join(out)


def _statement_cells(st: dict[str, Any]) -> list[object]:
    carried = ", ".join(ca["outlet"] + (f" ({ca['published']})" if ca["published"] else "") for ca in st["carriers"])
    written = f"“{st['figure']}”"
    if st["sentences"]:
        written += " — " + " / ".join(
            "".join(f"**{t}**" if b else t for t, b in s["pieces"]) for s in st["sentences"]
        )
    return [_md(st["when"]), _md(st["source"]), f"**{_md(st['value'])}**", _md(written), _md(carried), f"`{st['id']}`"]


def _json(rec: Reconciliation, data: dict[str, Any]) -> str:
    """The same content as JSON: counts, summary, conflicts, every variable, the raw records."""
    data = {**data, "statements": [s.to_dict() for s in rec.statements],
            "findings": [f.to_dict() for f in rec.findings]}
    return json.dumps(data, ensure_ascii=False, indent=1)


_RENDERERS = {"html": _html, "md": _markdown, "json": _json}
REPORT_FORMATS = tuple(_RENDERERS)


def render_report(
    rec: Reconciliation,
    docs: Mapping[str, DocLike],
    fmt: str = "html",
    title: str = DEFAULT_TITLE,
    *,
    claims: Iterable[Claim] | None = None,
) -> str:
    """The report in ``fmt`` (html, md or json): the same content (:func:`report_data`) in each.

    ``claims``: the claims behind the statements, to show the sentences that carry them.
    """
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ReportFormatError(f"no report format {fmt!r}; use {', '.join(REPORT_FORMATS)}")
    return renderer(rec, report_data(rec, docs, title, claims=claims))


_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".json": "json"}


def write_report(
    rec: Reconciliation,
    docs: Mapping[str, DocLike],
    path: str | Path,
    title: str = DEFAULT_TITLE,
    *,
    claims: Iterable[Claim] | None = None,
) -> None:
    """Write the report in the format its suffix names: .html, .md or .json.

    ``claims``: the claims behind the statements, to show the sentences that carry them.
    """
    p = Path(path)
    fmt = _SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise ReportFormatError(f"{p}: cannot write a report as '{p.suffix or '(no suffix)'}'; use .html, .md or .json")
    p.write_text(render_report(rec, docs, fmt, title, claims=claims), encoding="utf-8")


def _pick_variable(rec: Reconciliation, subject: str, measure: str) -> Variable:
    matches = [
        v
        for v in rec.variables
        if (v.subject or "").casefold() == subject.casefold() and v.measure.casefold() == measure.casefold()
    ]
    if not matches:
        known = sorted({f"{v.subject} · {v.measure}" for v in rec.variables})
        raise ReportFormatError(
            f"no variable for subject {subject!r} and measure {measure!r}; known: {', '.join(known[:20])}"
        )
    return max(matches, key=lambda v: (v.unit == "persons", len(v.statements)))


def write_timeline_plot(rec: Reconciliation, subject: str, measure: str, path: str | Path) -> None:
    """One variable's timeline: .html (offline, plotly JS inline) or .svg (drawn by hand).

    PNG is not supported: plotly's static export needs kaleido and a Chrome, which crosscount
    does not install; write .svg (any browser or `rsvg-convert` turns it into a PNG).
    """
    p = Path(path)
    var = _pick_variable(rec, subject, measure)
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm"):
        fig = timeline_figure(rec, var.id)
        p.write_text(pio.to_html(fig, include_plotlyjs=True, full_html=True), encoding="utf-8")
    elif suffix == ".svg":
        p.write_text(render_svg(rec, var.id), encoding="utf-8")
    elif suffix == ".png":
        raise ReportFormatError(
            f"{p}: PNG is not supported (plotly's static export needs kaleido and Chrome, which crosscount "
            "does not install); write .svg or .html instead, and convert the SVG if you need a PNG"
        )
    else:
        raise ReportFormatError(f"{p}: cannot plot as '{p.suffix or '(no suffix)'}'; use .html or .svg")
