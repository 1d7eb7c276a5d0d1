"""The web app through its HTTP interface (TestClient, real ledger files built from the seeds)."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from crosscount.cli import main
from crosscount.cli.web_cmds import is_loopback
from crosscount.ledger import Ledger
from crosscount.pipeline import analyze
from crosscount.web import create_app

LISTS = ("claims", "statements", "variables", "findings", "documents", "sources", "jobs")

XSS_TEXT = (
    "Officials said 40 soldiers were killed on Monday.\n"
    '<script>window.__xss = 1</script> <img src=x onerror="window.__xss = 2">\n'
    '" onmouseover="window.__xss = 3" <a href="javascript:window.__xss = 4">click</a>\n'
)


@pytest.fixture(scope="module")
def seed_db(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("web") / "seed.db"
    with Ledger(db) as ledger:
        analyze([shared_dir / "seeds"], ledger)
    return db


@pytest.fixture()
def db(seed_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the seed ledger, for tests that write."""
    copy = tmp_path / "ledger.db"
    shutil.copy(seed_db, copy)
    return copy


@pytest.fixture(scope="module")
def client(seed_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(seed_db)), base_url=BASE) as c:
        yield c


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status and body["error"]
    return dict(body)


BASE = "http://127.0.0.1"  # a Host the app answers to (it refuses names it was not started for)


def csrf(client: TestClient) -> str:
    """The CSRF token the app's pages put in their forms."""
    m = re.search(r'name="csrf" value="([^"]+)"', client.get("/documents").text)
    assert m is not None
    return m.group(1)


def wait_job(client: TestClient, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


# -- lists, filters, pagination -----------------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
def test_every_list_answers_a_page(client: TestClient, name: str) -> None:
    body = client.get(f"/api/{name}").json()
    assert set(body) == {"items", "total", "limit", "offset", "next"}
    assert body["limit"] == 50 and body["offset"] == 0
    assert len(body["items"]) == min(50, body["total"])
    assert (body["next"] is None) == (body["total"] <= 50)


@pytest.mark.parametrize("name", ["claims", "statements", "findings", "variables", "documents", "sources",
                                  "conflicts"])
def test_next_links_walk_the_whole_list_with_the_filters_kept(client: TestClient, name: str) -> None:
    whole = client.get(f"/api/{name}", params={"limit": 1000}).json()
    assert whole["next"] is None and whole["total"] > 3
    seen: list[Any] = []
    url: str | None = f"/api/{name}?limit=3"
    while url:
        page = client.get(url).json()
        assert page["limit"] == 3 and len(page["items"]) <= 3
        seen.extend(page["items"])
        url = page["next"]
        assert url is None or ("limit=3" in url and f"offset={len(seen)}" in url)
    assert seen == whole["items"]
    measure = whole["items"][0].get("measure") if name == "claims" else None
    if measure:  # a filter stays on every next page
        first = client.get("/api/claims", params={"measure": measure, "limit": 1}).json()
        assert first["total"] == 1 or f"measure={measure}" in first["next"]


@pytest.mark.parametrize("url", ["/documents", "/variables", "/sources", "/conflicts", "/api/claims",
                                 "/api/documents", "/api/findings"])
def test_the_page_size_is_capped_on_pages_and_in_json(client: TestClient, url: str) -> None:
    too_big = client.get(url, params={"limit": 5000})
    assert too_big.status_code == 422 and "limit" in too_big.text and "1000" in too_big.text
    if url.startswith("/api"):
        assert_error(too_big, 422)
    else:
        assert "text/html" in too_big.headers["content-type"]


def test_a_list_page_links_its_next_page(client: TestClient) -> None:
    page = client.get("/documents", params={"limit": 2}).text
    link = re.search(r'<a rel="next" href="([^"]+)">more →</a>', page)
    assert link is not None and "offset=2" in link.group(1) and "limit=2" in link.group(1)
    last = client.get("/documents", params={"limit": 1000}).text
    assert 'rel="next"' not in last and _count(r'class="doc-link"', last) > 2


def test_a_large_list_page_streams(client: TestClient) -> None:
    with client.stream("GET", "/documents", params={"limit": 1000}) as response:
        assert response.status_code == 200 and "content-length" not in response.headers
        assert response.headers["content-security-policy"]  # the streamed page keeps the security headers
        body = b"".join(response.iter_bytes())
    assert body.decode().rstrip().endswith("</html>")
    assert _count(r'class="doc-link"', body.decode()) == client.get("/api/documents").json()["total"]


@pytest.mark.parametrize("name", ["claims", "statements", "findings", "sources"])
def test_pages_cut_the_list_without_gaps(client: TestClient, name: str) -> None:
    whole = client.get(f"/api/{name}", params={"limit": 1000}).json()
    assert whole["total"] == len(whole["items"]) > 3
    first = client.get(f"/api/{name}", params={"limit": 2}).json()
    second = client.get(f"/api/{name}", params={"limit": 2, "offset": 2}).json()
    assert first["items"] + second["items"] == whole["items"][:4]
    last = client.get(f"/api/{name}", params={"limit": 5, "offset": whole["total"] - 1}).json()
    assert last["items"] == whole["items"][-1:]
    beyond = client.get(f"/api/{name}", params={"offset": whole["total"] + 10}).json()
    assert beyond["items"] == [] and beyond["total"] == whole["total"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"offset": -1}])
def test_bad_paging_gets_the_error_shape(client: TestClient, name: str, params: dict[str, Any]) -> None:
    body = assert_error(client.get(f"/api/{name}", params=params), 422)
    assert next(iter(params)) in body["error"]


def test_limit_of_a_thousand_is_allowed(client: TestClient) -> None:
    assert client.get("/api/claims", params={"limit": 1000}).json()["limit"] == 1000


@pytest.mark.parametrize("name", ["claims", "statements", "documents"])
def test_bad_dates_get_the_error_shape(client: TestClient, name: str) -> None:
    body = assert_error(client.get(f"/api/{name}", params={"since": "last week"}), 400)
    assert "since" in body["error"] and "YYYY" in body["error"]
    assert_error(client.get(f"/api/{name}", params={"until": "2025-1-5"}), 400)


def test_claim_filters_match_the_ledger(client: TestClient, seed_db: Path) -> None:
    body = client.get("/api/claims", params={"measure": "killed"}).json()
    assert body["total"] > 0 and all(c["measure"] == "killed" for c in body["items"])
    with Ledger(seed_db) as ledger:
        assert body["total"] == ledger.count_claims(measure="killed")
        nis = ledger.count_claims(source="South Korea NIS", since="2025-01")
    assert client.get("/api/claims", params={"source": "South Korea NIS", "since": "2025-01"}).json()["total"] == nis
    assert client.get("/api/claims", params={"measure": "no such measure"}).json() == {
        "items": [], "total": 0, "limit": 50, "offset": 0, "next": None
    }


def test_empty_filters_mean_no_filter(client: TestClient) -> None:
    everything = client.get("/api/claims").json()["total"]
    assert client.get("/api/claims", params={"measure": "", "since": ""}).json()["total"] == everything


def test_statement_variable_and_finding_filters(client: TestClient) -> None:
    sts = client.get("/api/statements", params={"source": "South Korea NIS"}).json()
    assert sts["total"] >= 1 and {s["source"] for s in sts["items"]} == {"South Korea NIS"}
    conflicts = client.get("/api/findings", params={"type": "conflict"}).json()
    assert conflicts["total"] >= 1 and {f["type"] for f in conflicts["items"]} == {"conflict"}
    killed = client.get("/api/variables", params={"measure": "killed"}).json()
    assert killed["total"] >= 1
    var = killed["items"][0]
    assert var["measure"] == "killed" and var["estimate"]["best"] is not None and "title" in var
    by_var = client.get("/api/findings", params={"variable": var["id"]}).json()
    assert by_var["total"] >= 1 and {f["variable"] for f in by_var["items"]} == {var["id"]}


def test_documents_leave_the_text_out_and_filter_by_date(client: TestClient) -> None:
    docs = client.get("/api/documents").json()
    assert docs["total"] == 5 and "text" not in docs["items"][0]
    dated = client.get("/api/documents", params={"since": "2025-01-22", "until": "2025-01-22"}).json()
    assert 0 < dated["total"] < 5
    assert client.get("/api/documents", params={"outlet": "nobody"}).json()["total"] == 0


def test_sources_count_agreements_and_conflicts(client: TestClient) -> None:
    rows = client.get("/api/sources", params={"limit": 1000}).json()["items"]
    assert all({"name", "claims", "statements", "agreements", "conflicts", "first_seen", "last_seen"} <= set(r)
               for r in rows)
    assert sum(r["conflicts"] for r in rows) >= 2
    assert sum(r["agreements"] for r in rows) >= 2


# -- single records -----------------------------------------------------------------------------


def test_single_records_and_their_404s(client: TestClient) -> None:
    st = client.get("/api/statements", params={"limit": 1}).json()["items"][0]
    assert client.get(f"/api/statements/{st['id']}").json()["id"] == st["id"]
    doc, start = st["claims"][0][0], st["claims"][0][1]
    one = client.get(f"/api/claims/{doc}/{start}").json()
    assert one["claim"]["start"] == start and one["statement"]["id"]
    var = client.get("/api/variables/" + st["variable"]).json()
    assert var["variable"]["id"] == st["variable"] and var["statements"] and "findings" in var
    document = client.get(f"/api/documents/{doc}").json()
    assert document["id"] == doc and document["text"] and document["claims"]
    assert_error(client.get("/api/statements/nope"), 404)
    assert_error(client.get("/api/variables/nope"), 404)
    assert_error(client.get("/api/documents/nope.txt"), 404)
    assert_error(client.get(f"/api/claims/{doc}/999999"), 404)
    assert_error(client.get("/api/jobs/nope"), 404)
    assert_error(client.get("/api/no/such/route"), 404)
    assert_error(client.post("/api/claims"), 405)


def test_search_overview_and_stats(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "NIS"}).json()["items"]
    assert {"source"} <= {h["kind"] for h in hits}
    assert client.get("/api/search").json() == {"items": [], "total": 0, "limit": 20, "offset": 0}  # as the page
    overview = client.get("/api/overview").json()
    assert len(overview["variables"]) == client.get("/api/stats").json()["variables"]
    assert overview["conflicts"]


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/claims", "/api/statements", "/api/variables", "/api/findings", "/api/documents",
                 "/api/sources", "/api/jobs/{job_id}"):
        assert path in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/claims"]["get"]["parameters"]}
    assert {"subject", "measure", "source", "since", "until", "doc", "limit", "offset"} <= params
    assert client.get("/docs").status_code == 200


# -- each resource: one data function behind its page and its JSON twin -------------------------------


def _count(pattern: str, page: str) -> int:
    return len(re.findall(pattern, page))


def _twins(client: TestClient) -> list[tuple[str, str, str, Any]]:
    """(page, its JSON twin, what the page repeats once per item, how many items the JSON holds)."""
    claims = client.get("/api/claims", params={"limit": 1000}).json()["items"]
    shared = next(c for c in claims if c["figure"] == "300")
    killed = client.get("/api/variables", params={"measure": "killed"}).json()["items"][0]["id"]
    source = client.get("/api/sources").json()["items"][0]["name"]
    doc = client.get("/api/documents").json()["items"][0]["id"]
    q = {"q": "NIS"}
    return [
        ("/", "/api/overview", r'class="var-link"', lambda j: len(j["variables"])),
        ("/", "/api/overview", r'<li><span class="badge conflict">', lambda j: len(j["conflicts"])),
        ("/variables", "/api/variables", r'class="var-link"', lambda j: len(j["items"])),
        (f"/variables/{killed}", f"/api/variables/{killed}", r'<tr id="st-', lambda j: len(j["statements"])),
        (f"/variables/{killed}", f"/api/variables/{killed}", r'<li class="finding ',
         lambda j: sum(1 for f in j["findings"] if f["type"] != "estimate")),
        (f"/variables/{killed}", f"/api/variables/{killed}", r'<tr id="[^"]+"><td class="nowrap">',
         lambda j: len(j["estimates"])),
        ("/conflicts", "/api/conflicts", r'<tr id="c-', lambda j: len(j["items"])),
        ("/sources", "/api/sources", r'<tr><td><a href="/sources/', lambda j: len(j["items"])),
        (f"/sources/{source}", f"/api/sources/{source}", r"<tr><td>", lambda j: len(j["statements"])),
        (f"/claims/{shared['doc']}/{shared['start']}", f"/api/claims/{shared['doc']}/{shared['start']}",
         r'class="other-outlet"', lambda j: len(j["others"])),
        ("/documents", "/api/documents", r'class="doc-link"', lambda j: len(j["items"])),
        (f"/documents/{doc}", f"/api/documents/{doc}", r'<tr><td><a href="/claims/', lambda j: len(j["claims"])),
        ("/stories", "/api/stories", r'<tr><td><a href="/\?story=', lambda j: len(j["items"])),
        ("/search?" + urlencode(q), "/api/search?" + urlencode(q), r"<li><a href=", lambda j: len(j["items"])),
        ("/corrections", "/api/corrections", r'<tr class="', lambda j: len(j["items"])),
    ]


def test_every_page_shows_what_its_json_twin_counts(client: TestClient) -> None:
    for page_url, api_url, item, count in _twins(client):
        page, data = client.get(page_url), client.get(api_url)
        assert page.status_code == 200 and data.status_code == 200, (page_url, api_url)
        assert "text/html" in page.headers["content-type"] and data.headers["content-type"] == "application/json"
        expected = count(data.json())
        assert _count(item, page.text) == expected, (page_url, item, expected)
        total = data.json().get("total")
        if isinstance(total, int) and total > 0 and "/search" not in page_url:  # lists say their total in words
            assert re.search(rf"\b{total:,} [a-z]+", page.text), (page_url, total)
    overview = client.get("/api/overview").json()
    assert overview["counts"]["line"] in client.get("/").text
    assert overview["conflicts_total"] == client.get("/api/conflicts").json()["total"] >= 1


def test_twins_share_their_filters_and_their_404s(client: TestClient) -> None:
    killed = {"measure": "killed"}
    page = client.get("/variables", params=killed).text
    data = client.get("/api/variables", params=killed).json()
    assert _count(r'class="var-link"', page) == data["total"] >= 1
    one = client.get("/api/conflicts", params={"limit": 1}).json()
    assert len(one["items"]) == 1 and _count(r'<tr id="c-', client.get("/conflicts", params={"limit": 1}).text) == 1
    assert "more →" in client.get("/conflicts", params={"limit": 1}).text or one["total"] == 1
    for url in ("/sources/nobody", "/variables/nope", "/claims/nope.txt/3", "/documents/nope.txt"):
        assert client.get(url).status_code == 404 and "text/html" in client.get(url).headers["content-type"]
        assert_error(client.get("/api" + url), 404)


def test_list_pages_page_through_with_their_filters_kept(client: TestClient) -> None:
    for url, item in (("/documents", r'class="doc-link"'), ("/sources", r'<tr><td><a href="/sources/'),
                      ("/variables", r'class="var-link"')):
        whole = client.get("/api" + url, params={"limit": 1000}).json()["total"]
        seen, page_url = 0, f"{url}?limit=2"
        while page_url:
            page = client.get(page_url).text
            seen += _count(item, page)
            more = re.search(r'<a rel="next" href="([^"]+)">more →</a>', page)
            page_url = more.group(1).replace("&amp;", "&") if more else ""
        assert seen == whole >= 3, url
    filtered = client.get("/documents", params={"has_claims": "true", "limit": 1}).text
    assert "has_claims=true" in filtered and "limit=1" in filtered


def test_a_correction_shows_on_the_corrections_page_and_in_its_twin(db: Path) -> None:
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        claim = c.get("/api/claims", params={"limit": 1}).json()["items"][0]
        body = {"doc": claim["doc"], "start": claim["start"], "field": "confirm", "who": "Ana", "why": "read it"}
        assert c.post("/api/corrections", json=body).status_code == 201
        listed = c.get("/api/corrections").json()
        assert listed["total"] == 1 and listed["items"][0]["who"] == "Ana"
        page = c.get("/corrections").text
        assert _count(r'<tr class="', page) == 1 and "confirmed" in page and "Ana" in page
        evidence = c.get(f"/api/claims/{claim['doc']}/{claim['start']}").json()
        assert [x["field"] for x in evidence["corrections"]] == ["confirm"]
        assert c.get(f"/api/documents/{claim['doc']}").json()["corrections"][0]["who"] == "Ana"


# -- pages ----------------------------------------------------------------------------------------


def test_pages_render(client: TestClient) -> None:
    variables = client.get("/api/overview").json()["variables"]
    home = client.get("/")
    assert home.status_code == 200 and "Content-Security-Policy" in home.headers
    for v in variables:
        assert f'/variables/{v["id"]}' in home.text
    killed = next(v for v in variables if v["measure"] == "killed")
    page = client.get(f"/variables/{killed['id']}")
    assert page.status_code == 200 and 'data-figure="{' in page.text and "/static/plotly.min.js" in page.text
    assert "estimate_" in page.text and "/claims/" in page.text
    for url in ("/sources", "/documents", "/search?q=Kursk", "/sources/South%20Korea%20NIS"):
        assert client.get(url).status_code == 200, url
    assert "No documents match" in client.get("/documents", params={"outlet": "nobody"}).text


def test_evidence_page_marks_figure_source_and_date(client: TestClient) -> None:
    claims = client.get("/api/claims", params={"limit": 1000}).json()["items"]
    claim = next(c for c in claims if c["source_text"] and c["figure"] == "about a third")
    page = client.get(f"/claims/{claim['doc']}/{claim['start']}").text
    assert f'<mark class="figure" id="figure">{claim["figure"]}</mark>' in page
    assert f'<mark class="source">{claim["source_text"]}</mark>' in page
    assert '<mark class="date">' in page


def test_evidence_page_links_other_outlets_of_the_statement(client: TestClient) -> None:
    sts = client.get("/api/statements", params={"limit": 1000}).json()["items"]
    st = next(s for s in sts if len(s["claims"]) > 1 and not s["computed"])
    (d0, s0, _), (d1, s1, _) = st["claims"][0], st["claims"][1]
    page = client.get(f"/claims/{d0}/{s0}").text
    assert f'href="/claims/{d1}/{s1}"' in page


def test_page_errors_are_pages(client: TestClient) -> None:
    missing = client.get("/variables/nope")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "nope" in missing.text
    assert client.get("/documents", params={"since": "soon"}).status_code == 400


def test_plotly_is_served_from_the_package_and_cached(client: TestClient) -> None:
    r = client.get("/static/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "max-age=31536000" in r.headers["cache-control"]
    assert r.headers["content-encoding"] == "gzip" and b"plotly" in r.content[:2000].lower()
    assert client.get("/static/style.css").status_code == 200


# -- uploads and writes ---------------------------------------------------------------------------


def test_upload_pasted_text_is_ingested_and_reconciled(db: Path) -> None:
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        before = c.get("/api/stats").json()["documents"]
        r = c.post("/api/documents", data={
            "text": "The ministry said 250 soldiers were killed in Avdiivka as of March 3.",
            "outlet": "Test Wire", "published": "2025-03-05", "title": "A test report"})
        assert r.status_code == 202, r.text
        job = wait_job(c, r.json()["id"])
        assert job["status"] == "done" and job["documents"][0]["claims"] >= 1
        doc_id = job["documents"][0]["id"]
        assert c.get("/api/stats").json()["documents"] == before + 1
        doc = c.get(f"/api/documents/{doc_id}").json()
        assert doc["outlet"] == "Test Wire" and doc["published"] == "2025-03-05" and doc["title"] == "A test report"
        assert any(cl["figure"].endswith("250") for cl in doc["claims"])
        assert "A test report" in c.get("/documents").text
        # the reconciliation (and the cached overview) now include it
        assert any(s["docs"] == [doc_id] for s in c.get("/api/statements", params={"limit": 1000}).json()["items"])
        again = wait_job(c, c.post("/api/documents", data={
            "text": "The ministry said 250 soldiers were killed in Avdiivka as of March 3."}).json()["id"])
        assert again["status"] == "done" and again["documents"] == [] and again["skipped"]


def test_upload_form_redirects_to_a_job_page(db: Path) -> None:
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        r = c.post("/documents", files={"file": ("report.txt", b"date 2025-02-01 Kyiv said 12 drones were shot down.")},
                   data={"csrf": csrf(c)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
        job_id = r.headers["location"].rsplit("/", 1)[1]
        assert c.get(f"/jobs/{job_id}").status_code == 200
        job = wait_job(c, job_id)
        assert job["status"] == "done" and job["documents"][0]["id"] == "report.txt"


def test_a_file_named_like_a_stored_one_gets_its_own_id(db: Path) -> None:
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        name = c.get("/api/documents", params={"limit": 1}).json()["items"][0]["id"]
        job = wait_job(c, c.post("/api/documents", files={"file": (name, b"Police said 7 people were arrested.")})
                       .json()["id"])
        assert job["status"] == "done" and job["documents"][0]["id"] != name


def test_jsonl_upload_adds_every_record(db: Path) -> None:
    lines = "\n".join(json.dumps({"id": f"rec{i}", "text": f"Officials said {10 + i} soldiers were wounded.",
                                  "outlet": "Wire", "published": "2025-02-0{i}".replace("0{i}", f"0{i + 1}")})
                      for i in range(3))
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        job = wait_job(c, c.post("/api/documents", files={"file": ("batch.jsonl", lines.encode())}).json()["id"])
        assert job["status"] == "done" and sorted(d["id"] for d in job["documents"]) == ["rec0", "rec1", "rec2"]


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("empty.txt", b"", 400, "empty"),
        ("blank.txt", b"   \n\n ", 400, "empty"),
        ("binary.txt", bytes(range(256)) * 8, 400, "not added"),
        ("bad.jsonl", b'{"text": "Officials said 5 were killed."}\n{not json\n', 400, "line 2"),
        ("notext.jsonl", b'{"title": "no text"}\n', 400, "text"),
        ("photo.png", b"\x89PNG\r\n\x1a\n0000", 415, "unsupported"),
        ("big.txt", b"Officials said 5 were killed. " * 200, 413, "too large"),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(
    db: Path, name: str, data: bytes, status: int, words: str
) -> None:
    with TestClient(create_app(str(db), max_upload_bytes=4000), base_url=BASE) as c:
        before = c.get("/api/stats").json()
        body = assert_error(c.post("/api/documents", files={"file": (name, data)}), status)
        assert words in body["error"]
        page = c.post("/documents", files={"file": (name, data)}, data={"csrf": csrf(c)})
        assert page.status_code == status and 'id="upload-error"' in page.text
        assert c.get("/api/stats").json() == before
        assert c.get("/api/jobs").json()["total"] == 0


def test_empty_form_and_bad_date_are_refused(db: Path) -> None:
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        assert "nothing to add" in assert_error(c.post("/api/documents", data={"text": "  "}), 400)["error"]
        assert "published" in assert_error(
            c.post("/api/documents", data={"text": "5 were killed.", "published": "March"}), 400)["error"]
        assert_error(c.post("/api/documents", content=b"plain body",
                            headers={"content-type": "text/plain"}), 400)


def test_pasted_article_with_markup_shows_as_text(db: Path) -> None:
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        job = wait_job(c, c.post("/api/documents", data={"text": XSS_TEXT, "title": "<b>bold</b> title",
                                                          "outlet": '"><script>x()</script>'}).json()["id"])
        doc_id = job["documents"][0]["id"]
        page = c.get(f"/documents/{doc_id}").text
        assert "<script>window" not in page and "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page
        assert 'onerror="window' not in page and "<b>bold</b>" not in page and "&lt;b&gt;bold" in page
        assert 'href="javascript:' not in page
        listing = c.get("/documents").text
        assert "<script>x()" not in listing and "&lt;script&gt;x()" in listing


def test_delete_removes_the_document_and_reconciles(db: Path) -> None:
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        doc = c.get("/api/documents", params={"limit": 1}).json()["items"][0]["id"]
        assert c.delete(f"/api/documents/{doc}").json() == {"ok": True, "deleted": doc}
        assert_error(c.get(f"/api/documents/{doc}"), 404)
        assert all(doc not in s["docs"] for s in c.get("/api/statements", params={"limit": 1000}).json()["items"])
        assert_error(c.delete(f"/api/documents/{doc}"), 404)


def test_writes_need_the_token_when_one_is_set(db: Path) -> None:
    with TestClient(create_app(str(db), token="s3cret"), base_url=BASE) as c:
        assert c.get("/api/claims").status_code == 200  # reads stay open
        body = assert_error(c.post("/api/documents", data={"text": "Police said 3 were arrested."}), 401)
        assert "token" in body["error"]
        assert_error(c.post("/api/documents", data={"text": "Police said 3 were arrested.", "token": "wrong"}), 401)
        doc = c.get("/api/documents", params={"limit": 1}).json()["items"][0]["id"]
        assert_error(c.delete(f"/api/documents/{doc}"), 401)
        assert_error(c.delete(f"/api/documents/{doc}", headers={"Authorization": "Bearer nope"}), 401)
        ok = c.post("/api/documents", data={"text": "Police said 3 were arrested.", "token": "s3cret"})
        assert ok.status_code == 202
        wait_job(c, ok.json()["id"])
        deleted = c.delete(f"/api/documents/{doc}", headers={"Authorization": "Bearer s3cret"})
        assert deleted.status_code == 200
        assert 'name="token"' in c.get("/documents").text


def test_cross_site_writes_are_refused(db: Path) -> None:
    with TestClient(create_app(str(db)), base_url=BASE) as c:
        r = c.post("/api/documents", data={"text": "Police said 3 were arrested."},
                   headers={"Origin": "https://evil.example"})
        assert_error(r, 403)
        assert c.get("/api/stats").json()["documents"] == 5


# -- the serve command ----------------------------------------------------------------------------


def test_serve_refuses_to_bind_beyond_loopback_without_a_token(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSCOUNT_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--host", "0.0.0.0"])
    assert result.exit_code != 0 and "token" in result.output and "127.0.0.1" in result.output


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2") and not is_loopback("example.org")


def test_serve_help_names_its_options() -> None:
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    for option in ("--db", "--host", "--port", "--token", "CROSSCOUNT_TOKEN"):
        assert option in out


def test_each_documents_claim_count_is_its_own(client: TestClient, seed_db: Path) -> None:
    listed = client.get("/api/documents", params={"limit": 1000}).json()["items"]
    with Ledger(seed_db) as ledger:
        for d in listed:
            assert d["claims"] == ledger.count_claims(doc=d["id"]), d["id"]
        assert ledger.claim_counts(["no such document"]) == {"no such document": 0}
    assert sum(d["claims"] for d in listed) == client.get("/api/claims").json()["total"]
