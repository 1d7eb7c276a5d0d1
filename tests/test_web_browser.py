"""The web app in a real headless Chromium, against uvicorn serving a ledger built from the seeds."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, sync_playwright

from crosscount.ledger import Ledger
from crosscount.models import Claim, Document, text_hash
from crosscount.pipeline import analyze, reconcile_ledger

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser

XSS_ARTICLE = (
    "date 2025-02-10 Regional officials said 45 soldiers were killed near Pokrovsk last week.\n\n"
    "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">\n"
    "\" onmouseover=\"window.__xss = 3\" data-x=\"\n"
    "<a href=\"javascript:window.__xss = 4\">read more</a>\n"
)


def _need_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CROSSCOUNT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and CROSSCOUNT_REQUIRE_BROWSER=1 (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); set CROSSCOUNT_REQUIRE_BROWSER=1 to fail")


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of raw pixel bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def assert_not_blank(path: Path, min_colours: int = 8) -> None:
    data = path.read_bytes()
    assert len(data) > 5000, f"{path} is suspiciously small"
    width, height, rows = png_pixels(data)
    assert width > 100 and height > 100
    colours = {row[i : i + 3] for row in rows[:: max(1, height // 60)] for i in range(0, len(row), 3 * 7)}
    assert len(colours) >= min_colours, f"{path} looks blank ({len(colours)} colours)"


def _serve(db: Path) -> Iterator[str]:
    """uvicorn serving the app over ``db`` on a free loopback port, until the generator is closed."""
    import uvicorn

    from crosscount.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=20)


@pytest.fixture(scope="module")
def server(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_browser()
    db = tmp_path_factory.mktemp("browser") / "ledger.db"
    with Ledger(db) as ledger:
        analyze([shared_dir / "seeds"], ledger)
    yield from _serve(db)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_overview_to_variable_to_evidence(server: str, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    assert page.locator("table#variables tbody tr").count() >= 5
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert_not_blank(tmp_path / "overview.png")

    page.locator("a.var-link", has_text="casualties").first.click()
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=15000)
    box = page.locator(".js-plotly-plot").bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 250
    assert page.locator(".js-plotly-plot .scatterlayer .point").count() >= 2
    page.screenshot(path=str(tmp_path / "variable.png"), full_page=True)
    assert_not_blank(tmp_path / "variable.png", min_colours=12)

    link = page.locator("a.evidence-link").first
    link.click()
    page.wait_for_selector("mark.figure#figure")
    figure = page.locator("mark.figure#figure")
    assert figure.is_visible() and figure.inner_text().strip() == page.locator(".fig-title").inner_text().strip()
    box = figure.bounding_box()
    assert box is not None and box["width"] > 5
    page.screenshot(path=str(tmp_path / "evidence.png"))
    assert_not_blank(tmp_path / "evidence.png")
    assert errors == []


def test_upload_an_article_and_see_its_claims_with_markup_as_text(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    article = tmp_path / "pokrovsk.txt"
    article.write_text(XSS_ARTICLE, encoding="utf-8")
    page.goto(server + "/documents")
    page.set_input_files("#upload-form input[name=file]", str(article))
    page.fill("#upload-form input[name=outlet]", "Test <b>Wire</b>")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#job[data-status=done]", timeout=60000)
    page.screenshot(path=str(tmp_path / "job.png"))
    page.locator("a.job-doc").first.click()
    page.wait_for_selector("#claims")
    assert page.locator("#claims tbody tr a").count() >= 1
    text = page.locator("#article").inner_text()
    assert "<script>window.__xss = 1</script>" in text and "javascript:window.__xss" in text
    assert "Test <b>Wire</b>" in page.locator(".lede").inner_text()
    page.locator("#article").hover()
    page.mouse.move(200, 400)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#article script, #article img, #article a[href^=javascript]").count() == 0
    assert dialogs == []
    page.screenshot(path=str(tmp_path / "document.png"), full_page=True)
    assert_not_blank(tmp_path / "document.png")

    page.goto(server + "/")  # the new figure is reconciled into the overview
    assert page.locator("a.var-link", has_text="killed").count() >= 1
    page.goto(server + "/documents")
    assert page.locator("a.doc-link", has_text="pokrovsk.txt").count() == 1


def test_bad_upload_shows_an_error_on_the_page(server: str, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "5 were killed."}\n{oops\n', encoding="utf-8")
    page.goto(server + "/documents")
    before = page.locator("#documents tbody tr").count()
    page.set_input_files("#upload-form input[name=file]", str(bad))
    page.click("#upload-form button[type=submit]")
    error = page.locator("#upload-error")
    error.wait_for()
    assert "line 2" in error.inner_text()
    assert page.locator("#documents tbody tr").count() == before


def _offline(page: Any, server: str) -> list[str]:
    """Refuse every request that does not go to the app; return the refused URLs."""
    refused: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(server) or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return refused


def test_api_docs_render_with_no_network(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused = _offline(page, server)
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert page.locator(".swagger-ui .opblock").count() >= 10
    page.goto(server + "/redoc")
    page.wait_for_selector("redoc .api-content, [role=main] h2, .api-content", timeout=20000)
    assert "claims" in page.locator("body").inner_text().lower()
    assert refused == []


def _page_urls(server: str, page: Any) -> list[str]:
    page.goto(server + "/")
    var = page.locator("a.var-link").first.get_attribute("href")
    page.goto(server + str(var))
    evidence = page.locator("a.evidence-link").first.get_attribute("href")
    page.goto(server + "/documents")
    doc = page.locator("a.doc-link").first.get_attribute("href")
    page.goto(server + "/sources")
    source = page.locator("#sources tbody a").first.get_attribute("href")
    return ["/", str(var), str(evidence), "/documents", str(doc), "/sources", str(source), "/search?q=officials",
            "/variables", "/conflicts", "/stories", "/corrections"]


@pytest.mark.parametrize("width", [1400, 390])
def test_no_page_is_wider_than_the_screen(server: str, browser: Browser, width: int, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    for url in _page_urls(server, page):
        page.goto(server + url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{url} is {scroll} px wide at {width} px"
        if width < 600:
            search = page.locator("header input[type=search]").bounding_box()
            assert search is not None and search["x"] >= 0 and search["x"] + search["width"] <= width
            for link in ("Overview", "Sources", "Documents"):
                box = page.locator("nav a", has_text=link).first.bounding_box()
                assert box is not None and box["x"] + box["width"] <= width, f"nav link {link} cut off"
            if url in ("/", "/variables"):  # the best figure is in sight without scrolling the table
                best = page.locator("#variables th", has_text="Best").bounding_box()
                assert best is not None and best["x"] + best["width"] <= width, f"{url}: best column off-screen"
    page.screenshot(path=str(tmp_path / f"last-{width}.png"), full_page=True)
    assert_not_blank(tmp_path / f"last-{width}.png")


_SIDEWAYS = """(width) => {
  const wide = [], boxes = [];
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5))
      wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
  }
  const table = document.querySelector('#conflicts-table');
  for (let el = table; el && el !== document.body; el = el.parentElement) {
    const style = getComputedStyle(el);
    if (el.scrollWidth > el.clientWidth + 1 || /(auto|scroll)/.test(style.overflowX))
      boxes.push(el.tagName + '.' + el.className);
  }
  return {wide, boxes, rows: table ? table.querySelectorAll('tbody tr').length : 0};
}"""


def test_the_conflicts_fold_into_cards_on_a_phone(server: str, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(server + "/conflicts")
    page.wait_for_load_state("load")
    seen = page.evaluate(_SIDEWAYS, 390)
    assert seen["rows"] >= 2, "the seeds have conflicts to show"
    assert seen["wide"] == [], f"elements wider than the phone: {seen['wide'][:5]}"
    assert seen["boxes"] == [], f"the conflicts scroll sideways inside {seen['boxes']}"
    first = page.locator("#conflicts-table tbody tr").first
    card, a, b = first.bounding_box(), first.locator(".c-a").bounding_box(), first.locator(".c-b").bounding_box()
    assert card is not None and a is not None and b is not None
    assert a["y"] == b["y"] and a["x"] < b["x"], "A and B side by side in the card"
    assert "A says" in first.locator(".c-a").evaluate("e => getComputedStyle(e, '::before').content")
    page.screenshot(path=str(tmp_path / "conflicts-390.png"), full_page=True)
    assert_not_blank(tmp_path / "conflicts-390.png")
    wide = browser.new_page(viewport={"width": 1400, "height": 900})
    wide.goto(server + "/conflicts")
    assert wide.locator("#conflicts-table thead").is_visible(), "a table still on a desk"
    wide.close()
    page.close()


def test_the_chart_keeps_a_usable_plot_area_on_a_phone(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(server + "/")
    page.locator("a.var-link", has_text="casualties").first.click()
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=15000)
    plot = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    assert plot is not None and plot["width"] >= 250 and plot["height"] >= 200, plot
    chart = page.locator("#chart").bounding_box()
    legend = page.locator(".js-plotly-plot .legend").first.bounding_box()
    assert chart is not None and legend is not None
    assert legend["y"] >= plot["y"] + plot["height"] - 1, "the legend sits below the plot"
    assert legend["y"] + legend["height"] <= chart["y"] + chart["height"] + 2, "the legend stays in the chart"
    layout = page.evaluate("document.getElementById('chart').layout.xaxis.range")
    assert layout[0] < layout[1]


@pytest.fixture()
def own_server(shared_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server over a ledger of its own (the seeds), for a test that writes to it."""
    _need_browser()
    db = tmp_path / "own.db"
    with Ledger(db) as ledger:
        analyze([shared_dir / "seeds"], ledger)
    for url in _serve(db):
        yield url, db


def test_a_correction_in_the_browser_changes_the_estimate_and_survives_reanalysis(
    own_server: tuple[str, Path], browser: Browser, tmp_path: Path
) -> None:
    from crosscount.pipeline import reconcile_ledger, reextract

    server, db = own_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.locator("a.var-link", has_text="killed").first.click()
    variable_url = page.url
    best_before = page.locator("#estimate .est-cell.best .big").inner_text()
    # the statement behind the best figure: correct its figure upwards, far above every other
    row = page.locator("#statements-table tbody tr").filter(
        has=page.locator("td.n", has_text=best_before)).first  # fmt: skip
    row.locator("a.evidence-link").first.click()
    page.wait_for_selector("#correct-form")
    page.select_option("#correct-field", "value")
    page.fill("#correct-value", "77777")
    page.fill("#correct-who", "Ana Analyst")
    page.fill("#correct-why", "the article says so further down")
    page.click("#correct-form button[type=submit]")
    page.wait_for_selector("ul.fixes li[data-field=value]")
    assert "Ana Analyst" in page.locator("ul.fixes").inner_text()
    assert "the machine read" in page.locator("ul.fixes").inner_text()

    def estimate_text() -> str:
        page.goto(variable_url)
        return page.locator("#estimate").inner_text()

    after = estimate_text()
    assert "77,777" in after, after  # the statement's figure moved: the estimate follows
    assert page.locator(".human", has_text="corrected by Ana Analyst").count() >= 1
    # a new document is analyzed, then every document is extracted again: the correction holds
    article = tmp_path / "new.txt"
    article.write_text("date 2025-02-10 Regional officials said 45 soldiers were killed near Pokrovsk.\n",
                       encoding="utf-8")  # fmt: skip
    with Ledger(db) as ledger:
        analyze([article], ledger)
    assert "77,777" in estimate_text()
    with Ledger(db) as ledger:
        assert reextract(ledger, fingerprint="an older extractor") >= 5
        reconcile_ledger(ledger)
    assert "77,777" in estimate_text()


# -- charts that tell the truth, read from Plotly's layout in the browser --------------------------


def _claim(d: Document, figure: str, value: float, measure: str, as_of: str | None, kind: str = "report") -> Claim:
    start = d.text.index(figure)
    return Claim(doc=d.id, start=start, end=start + len(figure), figure=figure, low=value, high=value,
                 qualifier="exact", unit="persons", measure=measure, subject="harbour workers", location=None,
                 source=d.outlet, as_of=as_of, kind=kind, sentence=d.text, published=d.published)


@pytest.fixture(scope="module")
def chart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Three variables whose charts are hard to draw: one point, only undated figures, and a projection."""
    _need_browser()
    texts = [
        ("Port Authority", "2025-03-04", "The port authority said 12 harbour workers were missing on Sunday.",
         [("12", 12, "missing", "2025-03-02", "report")]),
        ("Relief Desk", None, "A relief desk counted 40 harbour workers displaced, it said.",
         [("40", 40, "displaced", None, "report")]),
        ("Union Wire", "2025-01-11", "The union said 300 harbour workers were injured by 10 January.",
         [("300", 300, "injured", "2025-01-10", "report")]),
        ("Dock Gazette", "2025-01-21", "The gazette said 350 harbour workers were injured by 20 January, and "
         "that 1200 would be injured by June.",
         [("350", 350, "injured", "2025-01-20", "report"), ("1200", 1200, "injured", "2025-06", "projection")]),
    ]
    db = tmp_path_factory.mktemp("charts") / "charts.db"
    with Ledger(db) as ledger:
        batch = []
        for outlet, published, text, claims in texts:
            d = Document(id=text_hash(text)[:12], text=text, outlet=outlet, published=published)
            batch.append((d, [_claim(d, *c) for c in claims]))
        ledger.add_documents(batch)
        reconcile_ledger(ledger)
    yield from _serve(db)


def _layout_of(browser: Browser, server: str, measure: str) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + "/variables?measure=" + measure)
    page.locator("a.var-link").first.click()
    page.wait_for_selector("#chart .main-svg", timeout=15000)
    layout: dict[str, Any] = page.evaluate("JSON.parse(JSON.stringify(document.getElementById('chart').layout))")
    layout["_page_text"] = page.locator("main").inner_text()
    return layout


def _days(lo: str, hi: str) -> float:
    from datetime import datetime

    def at(x: str) -> datetime:
        return datetime.fromisoformat(str(x)[:19].replace(" ", "T"))

    return (at(hi) - at(lo)).total_seconds() / 86400


def test_one_point_gets_a_padded_time_axis_in_days_and_whole_persons(chart_server: str, browser: Browser) -> None:
    layout = _layout_of(browser, chart_server, "missing")
    lo, hi = layout["xaxis"]["range"]
    assert 55 <= _days(lo, hi) <= 95, (lo, hi)  # not a millisecond axis
    assert str(lo) < "2025-03-02" < str(hi)
    assert layout["yaxis"]["range"][0] == 0 and layout["yaxis"]["tickformat"] == ",d"


def test_only_undated_figures_say_so_instead_of_an_empty_axis(chart_server: str, browser: Browser) -> None:
    layout = _layout_of(browser, chart_server, "displaced")
    assert layout["xaxis"]["visible"] is False
    assert any("1 undated statement, listed below" in a["text"] for a in layout["annotations"])
    assert "2000" not in str(layout["xaxis"].get("range", ""))


def test_a_projection_is_shown_apart_and_the_reports_keep_the_width(chart_server: str, browser: Browser) -> None:
    layout = _layout_of(browser, chart_server, "injured")
    lo, hi = layout["xaxis"]["range"]
    assert str(hi) < "2025-04-01", "the first view shows the reports, not the June projection"
    assert _days(lo, hi) >= 55
    assert [b["label"] for b in layout["updatemenus"][0]["buttons"]] == ["Reported", "With projections"]
    reported, projected = (b["args"][0]["xaxis.range"] for b in layout["updatemenus"][0]["buttons"])
    assert [str(x)[:10] for x in reported] == [str(lo)[:10], str(hi)[:10]]
    assert str(projected[1]) > "2025-06", "the toggle shows the projection"
