"""Reports: the HTML opens offline with one chart per variable; Markdown and JSON say the same."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from plotly.offline import get_plotlyjs

from crosscount.models import Claim
from crosscount.reconcile import DocInfo, Reconciliation, reconcile
from crosscount.report import (
    ReportFormatError,
    render_report,
    timeline_figure,
    write_report,
    write_timeline_plot,
)

DOCS = {
    "a": DocInfo(id="a", outlet="Outlet <A>", published="2025-01-14"),
    "b": DocInfo(id="b", outlet="Outlet B", published="2025-01-25"),
}


def _claim(doc: str, start: int, low: float, source: str | None, **kw: Any) -> Claim:
    values: dict[str, Any] = {"measure": "killed", "as_of": "2025-01", "kind": "report", "unit": "persons"}
    values.update(kw)
    return Claim(
        doc=doc,
        start=start,
        end=start + 3,
        figure=str(round(low)),
        low=low,
        high=low,
        qualifier="exact",
        subject="Blue forces",
        location=None,
        source=source,
        **values,
    )


@pytest.fixture(scope="module")
def rec() -> Reconciliation:
    claims = [
        _claim("a", 1, 300, "Agency <script>alert(1)</script>"),
        _claim("b", 1, 300, "Agency <script>alert(1)</script>"),
        _claim("b", 9, 1000, "Agency B"),
        _claim("a", 20, 2700, "Agency B", measure="wounded"),
        _claim("b", 30, 12000, "Agency B", measure="casualties", kind="projection", as_of="2025-04"),
        _claim("a", 40, 90, None, measure="casualties", unit="persons_per_day"),
    ]
    return reconcile(claims, DOCS)


def _plotly_payloads(page: str) -> list[str]:
    return re.findall(r'<script type="application/octet-stream" id="plotly-gz">([^<]+)</script>', page)


def test_html_is_self_contained_with_one_chart_per_variable(rec: Reconciliation) -> None:
    page = render_report(rec, DOCS, "html", title="Test <report>")
    payloads = _plotly_payloads(page)
    assert len(payloads) == 1, "plotly's JavaScript once per file"
    assert gzip.decompress(base64.b64decode(payloads[0])).decode("utf-8") == get_plotlyjs()
    assert len(page) < 2_500_000  # compressed: a small corpus gives a small file
    assert not re.search(r"<script[^>]+src=[\"']?https?:", page)
    for var in rec.variables:
        assert f'id="chart-{var.id}"' in page
    assert "<script>alert(1)</script>" not in page
    assert "Test &lt;report&gt;" in page and "Outlet &lt;A&gt;" in page


def test_html_lists_statements_findings_and_estimates(rec: Reconciliation) -> None:
    page = render_report(rec, DOCS)
    for st in rec.statements:
        assert st.id in page
    for f in rec.findings:
        assert f.id in page
    assert "Estimates" in page
    # rule ids only in a tooltip or a details row, never as the main text
    shown = re.sub(r'title="[^"]*"', "", page)
    shown = re.sub(r"<details.*?</details>", "", shown, flags=re.S)
    assert "conflict_disjoint_intervals" not in shown and "estimate_" not in shown
    assert 'title="rule conflict_disjoint_intervals' in page


def test_html_answers_first_summary_then_conflicts_then_most_disputed(rec: Reconciliation) -> None:
    page = render_report(rec, DOCS)
    summary, conflicts = page.index('id="summary-table"'), page.index('id="conflicts-table"')
    first_variable = page.index('<section class="variable"')
    assert summary < conflicts < first_variable
    disputed = next(f.variable for f in rec.findings if f.type == "conflict")
    assert page.index(f'<section class="variable" id="{disputed}"') == first_variable
    assert "1 claims" not in page and "(unnamed outlet" not in page


def test_statements_show_their_sentences_with_the_figure_in_bold() -> None:
    claims = [
        _claim("a", 10, 300, "Agency A", sentence="Agency A said 300 soldiers were killed."),
        _claim("b", 10, 300, "Agency A", sentence="About 300 were killed, Agency A said."),
    ]
    rec = reconcile(claims, DOCS)
    page = render_report(rec, DOCS, "html", claims=claims)
    assert "2 sentences" in page and "<b>300</b> soldiers were killed." in page
    md = render_report(rec, DOCS, "md", claims=claims)
    assert "Agency A said **300** soldiers were killed." in md


def test_markdown_and_json_carry_the_same_statements_and_findings(rec: Reconciliation) -> None:
    md = render_report(rec, DOCS, "md")
    data = json.loads(render_report(rec, DOCS, "json"))
    ids_json = {s["id"] for s in data["statements"]}
    findings_json = {f["id"] for f in data["findings"]}
    assert ids_json == {s.id for s in rec.statements}
    assert findings_json == {f.id for f in rec.findings}
    for i in ids_json | findings_json:
        assert i in md
    listed = {s["id"] for v in data["variables"] for s in v["statements"]}
    assert listed == ids_json
    # every table has its header, its alignment row (numbers right-aligned) and one line a row
    assert "| variable | period | low | best | high | best figure from | statements | conflicts |\n" \
           "|---|---|--:|--:|--:|---|--:|--:|\n" in md
    assert md.count("| as of | source | value | as written | outlets | id |\n|---|---|--:|---|---|---|") == len(
        data["variables"])


def test_timeline_figure_has_a_trace_per_source_and_hollow_projections(rec: Reconciliation) -> None:
    var = next(v for v in rec.variables if v.measure == "casualties" and v.unit == "persons")
    fig = timeline_figure(rec, var.id)
    symbols = [s for t in fig.data if t.marker.symbol is not None for s in t.marker.symbol]
    assert any(str(s).endswith("-open") for s in symbols)


def test_write_report_by_suffix(rec: Reconciliation, tmp_path: Path) -> None:
    for suffix in (".html", ".md", ".json"):
        path = tmp_path / f"report{suffix}"
        write_report(rec, DOCS, path)
        assert path.stat().st_size > 100
    with pytest.raises(ReportFormatError, match=r"use \.html, \.md or \.json"):
        write_report(rec, DOCS, tmp_path / "report.pdf")
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == render_report(rec, DOCS, "md")
    with pytest.raises(ReportFormatError, match="use html, md, json"):
        render_report(rec, DOCS, "pdf")


def test_timeline_plot_html_svg_and_a_clear_png_refusal(rec: Reconciliation, tmp_path: Path) -> None:
    write_timeline_plot(rec, "Blue forces", "killed", tmp_path / "t.html")
    assert get_plotlyjs() in (tmp_path / "t.html").read_text(encoding="utf-8")
    write_timeline_plot(rec, "Blue forces", "killed", tmp_path / "t.svg")
    svg = (tmp_path / "t.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<circle" in svg and "&lt;script&gt;" in svg
    with pytest.raises(ReportFormatError, match="PNG is not supported"):
        write_timeline_plot(rec, "Blue forces", "killed", tmp_path / "t.png")
    with pytest.raises(ReportFormatError, match="no variable"):
        write_timeline_plot(rec, "Red forces", "killed", tmp_path / "t.svg")


def test_seed_report_renders(shared_dir: Path, tmp_path: Path) -> None:
    ev = shared_dir / "eval"
    lines = (ev / "seeds.gold.jsonl").read_text(encoding="utf-8").splitlines()
    claims = [Claim.from_dict(json.loads(x)) for x in lines if x.strip()]
    meta = (ev / "seeds.docs.jsonl").read_text(encoding="utf-8").splitlines()
    docs = {d.id: d for d in (DocInfo.from_dict(json.loads(x)) for x in meta if x.strip())}
    rec = reconcile(claims, docs)
    write_report(rec, docs, tmp_path / "seeds.html")
    page = (tmp_path / "seeds.html").read_text(encoding="utf-8")
    assert page.count('<div class="chart"') == len(rec.variables)
    assert "4,000 / 11,000 = 36.4%" in page
    assert "own voice of" not in re.sub(r"<details.*?</details>", "", page, flags=re.S)


def _layout(fig: Any) -> dict[str, Any]:
    out: dict[str, Any] = fig.to_plotly_json()["layout"]
    return out


def _days(xrange: list[str]) -> int:
    from datetime import date

    return (date.fromisoformat(str(xrange[1])[:10]) - date.fromisoformat(str(xrange[0])[:10])).days


def test_a_one_point_timeline_has_a_padded_axis_and_whole_person_ticks() -> None:
    rec = reconcile([_claim("a", 1, 3, "Agency A", as_of="2025-01-13")], DOCS)
    layout = _layout(timeline_figure(rec, rec.variables[0].id))
    xr = layout["xaxis"]["range"]
    assert 60 <= _days(xr) <= 90 and xr[0] < "2025-01-13" < xr[1]
    assert layout["xaxis"]["tickformat"] == "%-d %b %Y"
    assert layout["yaxis"]["dtick"] == 1 and layout["yaxis"]["tickformat"] == ",d"
    assert layout["yaxis"]["range"][0] == 0


def test_an_all_undated_timeline_says_so_instead_of_an_empty_axis() -> None:
    rec = reconcile([_claim("a", 1, 30, "Agency A", as_of=None)], {"a": DocInfo(id="a")})
    fig = timeline_figure(rec, rec.variables[0].id)
    layout = _layout(fig)
    assert not fig.data and layout["xaxis"]["visible"] is False
    assert "1 undated statement, listed below" in layout["annotations"][0]["text"]


def test_projections_are_shown_apart_and_do_not_squeeze_the_reports() -> None:
    claims = [
        _claim("a", 1, 3000, "Agency A", measure="casualties", as_of="2025-01-10"),
        _claim("b", 5, 3500, "Agency B", measure="casualties", as_of="2025-01-20"),
        _claim("b", 9, 12000, "Agency B", measure="casualties", kind="projection", as_of="2025-06"),
    ]
    rec = reconcile(claims, DOCS)
    var = next(v for v in rec.variables if v.measure == "casualties")
    fig = timeline_figure(rec, var.id)
    layout = _layout(fig)
    assert layout["xaxis"]["range"][1] < "2025-04-01", "the first view shows the reports"
    labels = [b["label"] for b in layout["updatemenus"][0]["buttons"]]
    assert labels == ["Reported", "With projections"]
    assert any(s["type"] == "rect" and s["x0"] <= "2025-02-01" for s in layout["shapes"])
    names = [t.name for t in fig.data]
    assert "projection (hollow)" in names and "month or year only (the line spans it)" in names
    bars = [t for t in fig.data if t.error_y is not None and t.error_y.width is not None]
    assert all(t.error_y.width == 0 for t in bars), "no caps: no dash through every marker"


def test_sources_past_ten_keep_distinct_styles() -> None:
    claims = [_claim("a", i * 10, 100 + i, f"Agency {i:02d}", as_of=f"2025-01-{i + 1:02d}") for i in range(30)]
    rec = reconcile(claims, DOCS)
    fig = timeline_figure(rec, rec.variables[0].id)
    styles = {(t.marker.color, str(t.marker.symbol)) for t in fig.data if t.legendgroup not in ("key", "estimate")}
    sources = [t for t in fig.data if t.legendgroup not in ("key", "estimate") and t.showlegend is not False]
    assert len(sources) == 30 and len(styles) >= 30


def test_the_report_counts_what_the_app_counts(shared_dir: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from crosscount.ledger import Ledger
    from crosscount.pipeline import analyze
    from crosscount.web.app import create_app

    db, report = tmp_path / "l.db", tmp_path / "r.html"
    with Ledger(db) as ledger:
        analyze([shared_dir / "seeds"], ledger, meta_path=shared_dir / "eval" / "seeds.docs.jsonl", report_path=report)
    page = report.read_text(encoding="utf-8")
    in_report = re.search(r'<p class="lede" id="counts">([^<]*?) · checks', page)
    assert in_report is not None
    with TestClient(create_app(str(db)), base_url="http://127.0.0.1") as client:
        overview = client.get("/").text
    in_app = re.search(r'<span id="counts">([^<]*)</span>', overview)
    assert in_app is not None
    assert in_report.group(1) == in_app.group(1)
    assert in_report.group(1).startswith("5 documents · ")
    # it answers first: the summary, then the conflicts, then the variables; statements show their sentences
    summary, conflicts = page.index('id="summary-table"'), page.index('id="conflicts-table"')
    assert summary < conflicts < page.index('<section class="variable"')
    assert page.count('<details class="said">') >= 10 and "<blockquote>" in page
    assert len(page.encode("utf-8")) < 5_000_000
    assert len(_plotly_payloads(page)) == 1
