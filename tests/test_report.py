"""Reports: the HTML opens offline with one chart per variable; Markdown and JSON say the same."""

from __future__ import annotations

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
    render_html,
    render_json,
    render_markdown,
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
        figure=str(low),
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


def test_html_is_self_contained_with_one_chart_per_variable(rec: Reconciliation) -> None:
    page = render_html(rec, DOCS, title="Test <report>")
    assert page.count(get_plotlyjs()) == 1
    assert not re.search(r"<script[^>]+src=[\"']?https?:", page)
    for var in rec.variables:
        assert f'id="chart-{var.id}"' in page
    assert "<script>alert(1)</script>" not in page
    assert "Test &lt;report&gt;" in page and "Outlet &lt;A&gt;" in page


def test_html_lists_statements_findings_and_estimates(rec: Reconciliation) -> None:
    page = render_html(rec, DOCS)
    for st in rec.statements:
        assert st.id in page
    for f in rec.findings:
        assert f.id in page
    assert "conflict_disjoint_intervals" in page and "Estimates" in page


def test_markdown_and_json_carry_the_same_statements_and_findings(rec: Reconciliation) -> None:
    md = render_markdown(rec, DOCS)
    data = json.loads(render_json(rec, DOCS))
    ids_json = {s["id"] for s in data["statements"]}
    findings_json = {f["id"] for f in data["findings"]}
    assert ids_json == {s.id for s in rec.statements}
    assert findings_json == {f.id for f in rec.findings}
    for i in ids_json | findings_json:
        assert i in md
    listed = {s["id"] for v in data["variables"] for s in v["statements"]}
    assert listed == ids_json


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
    assert page.count('class="plotly-graph-div"') == len(rec.variables)
    assert "4,000 / 11,000 = 36.4%" in page
