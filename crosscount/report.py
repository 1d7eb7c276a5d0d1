"""Reports of a reconciliation: self-contained HTML (charts inside), Markdown and JSON.

All three carry the same content: per variable, its timeline, its statements with provenance
(outlet -> source -> as-of, documents), its findings with their arithmetic, and its estimates.
The HTML opens offline: plotly's JavaScript is inlined once per file and nothing is fetched.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from crosscount.errors import CrosscountError
from crosscount.models import Finding, Statement, Variable
from crosscount.reconcile import DocLike, Reconciliation, fmt_num, fmt_value, parse_as_of

__all__ = [
    "ReportFormatError",
    "render_html",
    "render_json",
    "render_markdown",
    "render_svg",
    "report_data",
    "timeline_figure",
    "write_report",
    "write_timeline_plot",
]

DEFAULT_TITLE = "crosscount: who says how many, as of when"
FINDING_ORDER = ("conflict", "evolution", "revision", "agreement", "check", "estimate")
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)


class ReportFormatError(CrosscountError, ValueError):
    """A report or plot was asked for in a format crosscount cannot write (see the message)."""


# --------------------------------------------------------------------------------------------
# Shared content


def _x_date(st: Statement) -> str | None:
    """Where a statement sits on the time axis: its day, mid-month, or mid-year."""
    parsed = parse_as_of(st.date)
    if parsed is None:
        return None
    d0, d1, prec = parsed
    mid = d0 if prec == "day" else (min(d0 + 15, d1) if prec == "month" else (d0 + d1) // 2)
    return date.fromordinal(mid).isoformat()


def _value(st: Statement) -> str:
    return fmt_value(st.low, st.high, st.unit)


def _point(st: Statement) -> float | None:
    if st.low is not None and st.high is not None:
        return (st.low + st.high) / 2
    return st.low if st.low is not None else st.high


def _var_title(var: Variable) -> str:
    unit = {"persons": "", "percent": " (share, %)", "persons_per_day": " (per day)"}.get(
        var.unit, f" ({var.unit})"
    )
    place = f", {var.location}" if var.location else ""
    return f"{var.subject or 'unknown subject'} · {var.measure}{unit}{place}"


def _outlet_name(outlet: str | None, doc: str) -> str:
    return outlet or f"(unnamed outlet: {doc})"


def _statement_row(st: Statement, docs: Mapping[str, DocLike]) -> dict[str, Any]:
    carriers = []
    for i, d in enumerate(st.docs):
        outlet = st.outlets[i] if i < len(st.outlets) else None
        info = docs.get(d)
        carriers.append(
            {
                "doc": d,
                "outlet": _outlet_name(outlet, d),
                "published": info.published if info else None,
            }
        )
    kind = st.kind + (", computed" if st.computed else "")
    return {
        "id": st.id,
        "source": st.source,
        "figure": st.figure,
        "figures": st.figures,
        "value": _value(st),
        "qualifier": st.qualifier,
        "as_of": st.as_of,
        "date": st.date,
        "date_basis": st.date_basis,
        "period": st.period,
        "kind": kind,
        "location": st.location,
        "vias": st.vias,
        "carriers": carriers,
        "repeats": len(st.docs),
        "first_seen": st.first_seen,
        "note": st.note,
        "provenance": " ; ".join(
            f"{c['outlet']} → {' → '.join(st.vias) + ' → ' if st.vias else ''}{st.source} → "
            f"{st.as_of or (st.date or 'undated') + ' (' + (st.date_basis or 'no date') + ')'}"
            for c in carriers
        ),
    }


def _ordered_findings(findings: Sequence[Finding]) -> list[Finding]:
    rank = {t: i for i, t in enumerate(FINDING_ORDER)}
    return sorted(findings, key=lambda f: (rank.get(f.type, 99), f.period or "", f.id))


def report_data(
    rec: Reconciliation, docs: Mapping[str, DocLike], title: str = DEFAULT_TITLE
) -> dict[str, Any]:
    """The content every format renders: summary, and per variable statements, findings, estimates."""
    by_var: dict[str | None, list[Finding]] = defaultdict(list)
    for f in rec.findings:
        by_var[f.variable].append(f)
    counts: dict[str, int] = defaultdict(int)
    for f in rec.findings:
        counts[f.type] += 1
    checks = [f for f in rec.findings if f.type == "check"]
    variables = []
    for var in rec.variables:
        sts = [rec.statement(i) for i in var.statements]
        fs = _ordered_findings(by_var.get(var.id, []))
        variables.append(
            {
                "id": var.id,
                "title": _var_title(var),
                "variable": var.to_dict(),
                "statements": [_statement_row(s, docs) for s in sts],
                "findings": [f.to_dict() for f in fs if f.type != "estimate"],
                "estimates": [f.to_dict() for f in fs if f.type == "estimate"],
                "undated": sum(1 for s in sts if _x_date(s) is None),
            }
        )
    unassigned = [f.to_dict() for f in _ordered_findings(by_var.get(None, []))]
    claims = sum(len(s.claims) for s in rec.statements if not s.computed)
    return {
        "title": title,
        "summary": {
            "documents": len({d for s in rec.statements for d in s.docs}),
            "claims": claims,
            "statements": sum(1 for s in rec.statements if not s.computed),
            "computed": sum(1 for s in rec.statements if s.computed),
            "variables": len(rec.variables),
            "findings": dict(sorted(counts.items())),
            "checks_passed": sum(1 for f in checks if f.passed),
            "checks_failed": sum(1 for f in checks if f.passed is False),
        },
        "variables": variables,
        "other_findings": unassigned,
        "settings": rec.config.to_dict() if rec.config else {},
    }


# --------------------------------------------------------------------------------------------
# Charts


def _colours(rec: Reconciliation, sts: Sequence[Statement]) -> dict[str, str]:
    sources = sorted({s.source or "" for s in sts})
    return {src: PALETTE[i % len(PALETTE)] for i, src in enumerate(sources)}


def timeline_figure(rec: Reconciliation, variable_id: str) -> go.Figure:
    """A variable's timeline: one colour per source, interval bars, size = outlets, hollow = projection."""
    var = rec.variable(variable_id)
    sts = [rec.statement(i) for i in var.statements]
    colours = _colours(rec, sts)
    fig = go.Figure()
    by_src: dict[str, list[Statement]] = defaultdict(list)
    for s in sts:
        if _x_date(s) is not None and _point(s) is not None:
            by_src[s.source or ""].append(s)
    for src, group in sorted(by_src.items()):
        xs, ys, up, down, sizes, symbols, texts = [], [], [], [], [], [], []
        for s in group:
            p = _point(s)
            assert p is not None
            xs.append(_x_date(s))
            ys.append(p)
            up.append((s.high - p) if s.high is not None else 0.0)
            down.append((p - s.low) if s.low is not None else 0.0)
            sizes.append(8 + 4 * min(len(s.docs), 8))
            base = "circle"
            if s.low is not None and s.high is None:
                base = "triangle-up"
            elif s.high is not None and s.low is None:
                base = "triangle-down"
            elif s.computed:
                base = "diamond"
            symbols.append(base + ("-open" if s.kind == "projection" else ""))
            texts.append(
                f"{html.escape(src)}<br>{html.escape(s.figure)} = {html.escape(_value(s))}"
                f"<br>as of {html.escape(s.date or 'undated')} ({html.escape(s.date_basis or '')})"
                f"<br>{s.kind}{', computed' if s.computed else ''}; {len(s.docs)} document(s): "
                + html.escape(", ".join(_outlet_name(o, d) for o, d in zip(s.outlets, s.docs, strict=False)))
            )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                name=src,
                marker={"color": colours[src], "size": sizes, "symbol": symbols, "line": {"width": 2}},
                error_y={"type": "data", "symmetric": False, "array": up, "arrayminus": down, "width": 4},
                hovertext=texts,
                hoverinfo="text",
            )
        )
    ests = [f for f in rec.findings if f.variable == variable_id and f.type == "estimate"]
    if ests:
        xs, ys, up, down, texts = [], [], [], [], []
        for f in ests:
            dates = [_x_date(rec.statement(i)) for i in f.statements]
            known = sorted(d for d in dates if d)
            if not known or f.best is None:
                continue
            xs.append(known[len(known) // 2])
            ys.append(f.best)
            up.append((f.high or f.best) - f.best)
            down.append(f.best - (f.low if f.low is not None else f.best))
            texts.append(
                f"estimate {html.escape(f.period or '')}: low {fmt_num(f.low)}, best {fmt_num(f.best)}, "
                f"high {fmt_num(f.high)} ({html.escape(f.rule)})"
            )
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="markers",
                    name="best (low–high)",
                    marker={"color": "black", "symbol": "line-ew-open", "size": 18, "line": {"width": 3}},
                    error_y={"type": "data", "symmetric": False, "array": up, "arrayminus": down},
                    hovertext=texts,
                    hoverinfo="text",
                )
            )
    unit = {"percent": "share (%)", "persons_per_day": "persons a day"}.get(var.unit, var.unit)
    fig.update_layout(
        title={"text": html.escape(_var_title(var))},
        xaxis={"title": {"text": "as-of date"}, "type": "date"},
        yaxis={"title": {"text": unit}, "rangemode": "tozero"},
        template="plotly_white",
        height=380,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"title": {"text": "source"}},
    )
    return fig


def _chart_div(rec: Reconciliation, var_id: str) -> str:
    fig = timeline_figure(rec, var_id)
    out: str = pio.to_html(
        fig, include_plotlyjs=False, full_html=False, div_id=f"chart-{var_id}", config={"responsive": True}
    )
    return out


def render_svg(rec: Reconciliation, variable_id: str, width: int = 820, height: int = 400) -> str:
    """A small hand-made SVG timeline (no browser needed): points, interval bars, axes, legend."""
    var = rec.variable(variable_id)
    sts = [rec.statement(i) for i in var.statements]
    plotted = [(s, _x_date(s), _point(s)) for s in sts]
    pts = [(s, x, p) for s, x, p in plotted if x is not None and p is not None]
    colours = _colours(rec, sts)
    left, right, top, bottom = 70, 200, 40, 50
    pw, ph = width - left - right, height - top - bottom
    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{e(_var_title(var))}</text>',
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
                f'<line x1="{cx:.1f}" y1="{y_hi:.1f}" x2="{cx:.1f}" y2="{y_lo:.1f}" stroke="{col}" '
                'stroke-width="2"/>'
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

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ data.title }}</title>
<style>
body {
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  margin: 0;
  color: #1b1b1b;
  background: #fafafa;
}
header { background: #1b2a3a; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 6px 0; font-size: 22px; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 32px 48px; }
nav ul { columns: 2; padding-left: 18px; }
section.variable {
  background: #fff;
  border: 1px solid #ddd;
  border-radius: 6px;
  padding: 12px 20px;
  margin: 22px 0;
}
h2 { font-size: 19px; margin: 8px 0; }
h3 { font-size: 15px; margin: 16px 0 6px; color: #333; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 5px 7px; text-align: left; vertical-align: top; }
th { background: #f1f3f5; }
td.num { text-align: right; white-space: nowrap; }
.small { color: #666; font-size: 12px; }
ul.findings { list-style: none; padding-left: 0; }
ul.findings li {
  margin: 6px 0;
  padding: 6px 10px;
  border-left: 4px solid #999;
  background: #f8f8f8;
  font-size: 13.5px;
}
li.conflict { border-color: #c0392b !important; }
li.agreement { border-color: #27ae60 !important; }
li.evolution { border-color: #2980b9 !important; }
li.revision { border-color: #8e44ad !important; }
li.check.pass { border-color: #27ae60 !important; }
li.check.fail { border-color: #e67e22 !important; }
.tag {
  display: inline-block;
  font-size: 11px;
  font-weight: bold;
  text-transform: uppercase;
  margin-right: 6px;
  color: #444;
}
code { background: #eef; padding: 1px 4px; border-radius: 3px; }
.chart { min-height: 380px; }
</style>
<script type="text/javascript">{{ plotly_js | safe }}</script>
</head>
<body>
<header>
<h1>{{ data.title }}</h1>
<div>{{ s.documents }} documents · {{ s.claims }} claims · {{ s.statements }} statements
({{ s.computed }} computed from shares) · {{ s.variables }} variables ·
{% for t, n in s.findings.items() %}{{ n }} {{ t }}{{ "" if loop.last else ", " }}{% endfor %}
· checks: {{ s.checks_passed }} passed, {{ s.checks_failed }} failed</div>
</header>
<main>
<p class="small">A <b>statement</b> is one assertion of one source, however many outlets repeat it.
Estimates follow UCDP: best = the most reliable source by the configured priors, else the lower figure;
low and high = the lowest and highest reported bounds. Reported spreads understate true uncertainty.</p>
<nav><h3>Variables</h3><ul>
{% for v in data.variables %}<li><a href="#{{ v.id }}">{{ v.title }}</a>
 <span class="small">({{ v.statements | length }} statements, {{ v.findings | length }} findings)</span>
</li>
{% endfor %}</ul></nav>
{% for v in data.variables %}
<section class="variable" id="{{ v.id }}">
<h2>{{ v.title }}</h2>
<div class="chart">{{ charts[v.id] | safe }}</div>
{% if v.undated %}
<p class="small">{{ v.undated }} undated statement(s) are listed below but not plotted.</p>{% endif %}
{% if v.estimates %}
<h3>Estimates</h3>
<table>
<tr>
<th>period</th>
<th>low</th>
<th>best</th>
<th>high</th>
<th>median</th>
<th>rule</th>
<th>why</th>
</tr>
{% for e in v.estimates %}<tr id="{{ e.id }}"><td>{{ e.period }}</td><td class="num">{{ num(e.low) }}</td>
<td class="num"><b>{{ num(e.best) }}</b></td><td class="num">{{ num(e.high) }}</td>
<td class="num">{{ num(e.median) }}</td><td><code>{{ e.rule }}</code></td><td>{{ e.text }}</td></tr>
{% endfor %}</table>
{% endif %}
{% if v.findings %}
<h3>Findings</h3>
<ul class="findings">
{% for f in v.findings %}
<li class="{{ f.type }}
{% if f.type == 'check' %} {{ 'pass' if f.passed else 'fail' }}
{% endif %}" id="{{ f.id }}">
<span class="tag">{{ f.type }}
{% if f.type == 'check' %}: {{ 'pass' if f.passed else 'fail' }}
{% endif %}
</span>
<code>{{ f.rule }}</code> <span class="small">{{ f.period or "" }} · {{ f.id }}</span><br>
{{ f.text }}{% if f.arithmetic %}<br><b>Arithmetic:</b> <code>{{ f.arithmetic }}</code>{% endif %}</li>
{% endfor %}</ul>
{% endif %}
<h3>Statements</h3>
<table>
<tr>
<th>as of</th>
<th>source</th>
<th>figure</th>
<th>value</th>
<th>kind</th>
<th>carried by (outlet → document)</th>
<th>id</th>
</tr>
{% for st in v.statements %}<tr id="{{ st.id }}">
<td>{{ st.date or "undated" }}<br><span class="small">{{ st.date_basis or "" }}</span></td>
<td>{{ st.source }}
{% if st.vias %}
<br>
<span class="small">via {{ st.vias | join(", ") }}</span>{% endif %}
</td>
<td>{{ st.figures | join(" / ") }}
{% if st.note %}
<br>
<span class="small">{{ st.note }}</span>{% endif %}
</td>
<td class="num">{{ st.value }}</td><td>{{ st.kind }}</td>
<td>{% for c in st.carriers %}{{ c.outlet }} → {{ c.doc }}
{% if c.published %} ({{ c.published }}){% endif %}{% if loop.first %} <i>first seen</i>{% endif %}
<br>{% endfor %}
</td>
<td class="small">{{ st.id }}</td></tr>
{% endfor %}</table>
</section>
{% endfor %}
{% if data.other_findings %}
<section class="variable"><h2>Other findings</h2><ul class="findings">
{% for f in data.other_findings %}
<li class="{{ f.type }}" id="{{ f.id }}">
<span class="tag">{{ f.type }}</span>
<code>{{ f.rule }}</code> {{ f.text }}
{% if f.arithmetic %}
<br>
<code>{{ f.arithmetic }}</code>{% endif %}
</li>{% endfor %}
</ul></section>
{% endif %}
<p class="small">Made by crosscount. Settings: {{ settings_json }}</p>
</main>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def render_html(rec: Reconciliation, docs: Mapping[str, DocLike], title: str = DEFAULT_TITLE) -> str:
    """One self-contained page: plotly's JS inline once, a chart, statements, findings per variable."""
    data = report_data(rec, docs, title)
    charts = {v.id: _chart_div(rec, v.id) for v in rec.variables}
    return _ENV.from_string(_TEMPLATE).render(
        data=data,
        s=data["summary"],
        charts=charts,
        plotly_js=get_plotlyjs(),
        num=fmt_num,
        settings_json=json.dumps(data["settings"], ensure_ascii=False),
    )


# --------------------------------------------------------------------------------------------
# Markdown and JSON


def _md(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(rec: Reconciliation, docs: Mapping[str, DocLike], title: str = DEFAULT_TITLE) -> str:
    """The same content as the HTML report, as Markdown tables and lists (no charts)."""
    data = report_data(rec, docs, title)
    s = data["summary"]
    out = [f"# {_md(title)}", ""]
    found = ", ".join(f"{n} {t}" for t, n in s["findings"].items())
    out.append(
        f"{s['documents']} documents · {s['claims']} claims · {s['statements']} statements "
        f"({s['computed']} computed from shares) · {s['variables']} variables · {found} · checks: "
        f"{s['checks_passed']} passed, {s['checks_failed']} failed"
    )
    out.append("")
    for v in data["variables"]:
        out += [f"## {_md(v['title'])}", "", f"Variable `{v['id']}`.", ""]
        if v["estimates"]:
            out += [
                "### Estimates",
                "",
                "| period | low | best | high | median | rule |",
                "|---|---|---|---|---|---|",
            ]
            for e in v["estimates"]:
                out.append(
                    f"| {_md(e['period'])} | {fmt_num(e['low'])} | **{fmt_num(e['best'])}** | "
                    f"{fmt_num(e['high'])} | {fmt_num(e['median'])} | `{e['rule']}` |"
                )
            out.append("")
            for e in v["estimates"]:
                out.append(f"- `{e['id']}` {_md(e['text'])}")
            out.append("")
        if v["findings"]:
            out += ["### Findings", ""]
            for f in v["findings"]:
                verdict = "" if f["type"] != "check" else (" **pass**" if f["passed"] else " **fail**")
                line = (
                    f"- **{f['type']}**{verdict} `{f['rule']}` `{f['id']}` ({_md(f['period'])}): "
                    f"{_md(f['text'])}"
                )
                if f["arithmetic"]:
                    line += f" Arithmetic: `{_md(f['arithmetic'])}`"
                out.append(line)
            out.append("")
        out += [
            "### Statements",
            "",
            "| as of | source | figure | value | kind | carried by | id |",
            "|---|---|---|---|---|---|---|",
        ]
        for st in v["statements"]:
            carried = "; ".join(
                f"{c['outlet']} → {c['doc']}" + (f" ({c['published']})" if c["published"] else "")
                for c in st["carriers"]
            )
            when = (st["date"] or "undated") + (f" ({st['date_basis']})" if st["date_basis"] else "")
            source = st["source"] + (f" via {', '.join(st['vias'])}" if st["vias"] else "")
            figure = " / ".join(st["figures"]) + (f" — {st['note']}" if st["note"] else "")
            out.append(
                f"| {_md(when)} | {_md(source)} | {_md(figure)} | {_md(st['value'])} | {_md(st['kind'])} | "
                f"{_md(carried)} | `{st['id']}` |"
            )
        out.append("")
    if data["other_findings"]:
        out += ["## Other findings", ""]
        out += [
            f"- **{f['type']}** `{f['rule']}` `{f['id']}`: {_md(f['text'])}" for f in data["other_findings"]
        ]
        out.append("")
    return "\n".join(out)


def render_json(rec: Reconciliation, docs: Mapping[str, DocLike], title: str = DEFAULT_TITLE) -> str:
    """The same content as JSON: summary, settings, and every variable with statements and findings."""
    data = report_data(rec, docs, title)
    data["statements"] = [s.to_dict() for s in rec.statements]
    data["findings"] = [f.to_dict() for f in rec.findings]
    return json.dumps(data, ensure_ascii=False, indent=1)


_WRITERS = {".html": render_html, ".htm": render_html, ".md": render_markdown, ".json": render_json}


def write_report(
    rec: Reconciliation, docs: Mapping[str, DocLike], path: str | Path, title: str = DEFAULT_TITLE
) -> None:
    """Write the report in the format its suffix names: .html, .md or .json."""
    p = Path(path)
    writer = _WRITERS.get(p.suffix.lower())
    if writer is None:
        raise ReportFormatError(
            f"{p}: cannot write a report as '{p.suffix or '(no suffix)'}'; use .html, .md or .json"
        )
    p.write_text(writer(rec, docs, title), encoding="utf-8")


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
