"""report.html as a reader sees it: opened offline in a real headless Chromium, charts drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crosscount.cli import main
from tests.test_web_browser import ARGS, CHROMIUM, _need_browser, assert_not_blank

pytestmark = pytest.mark.browser


def test_report_opens_offline_with_every_chart_drawn(shared_dir: Path, tmp_path: Path) -> None:
    _need_browser()
    from playwright.sync_api import sync_playwright

    report = tmp_path / "report.html"
    result = CliRunner().invoke(main, [
        "analyze", str(shared_dir / "seeds"), "--meta", str(shared_dir / "eval" / "seeds.docs.jsonl"),
        "--db", str(tmp_path / "l.db"), "--report", str(report),
    ])
    assert result.exit_code == 0, result.output
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
            charts = page.locator(".js-plotly-plot")
            assert charts.count() >= 5
            box = charts.first.bounding_box()
            assert box is not None and box["width"] > 400 and box["height"] > 250
            assert page.locator(".js-plotly-plot .scatterlayer .point").count() > 0
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=False)
            assert_not_blank(shot)
            # Offline: nothing but the file itself was requested.
            assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
        finally:
            browser.close()
