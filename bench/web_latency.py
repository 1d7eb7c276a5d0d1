"""Latency of the web app on a ledger of 100k claims: overview, a variable page, /api/claims.

Builds a synthetic ledger (documents whose text carries every figure its claims point at;
assertions of a source repeated by several outlets, so statements merge; counts that grow
over time, so there are agreements, conflicts and evolutions), reconciles it, serves it with
uvicorn on 127.0.0.1 and a free port, and times each page over keep-alive HTTP requests.

    .venv/bin/python bench/web_latency.py                  # 100k claims, 200 requests each
    .venv/bin/python bench/web_latency.py --claims 20000 --requests 100 --db /tmp/w.db
"""

from __future__ import annotations

import argparse
import http.client
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosscount.ledger import Ledger
from crosscount.models import Claim, Document
from crosscount.pipeline import reconcile_ledger

MEASURES = ("deployed", "killed", "wounded", "casualties", "captured", "missing", "displaced")
PLACES = ("North", "South", "East", "West", "Capital", "Coast")
CLAIMS_PER_DOC = 50


def build(path: Path, n_claims: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    n_docs = max(1, n_claims // CLAIMS_PER_DOC)
    sources = [f"Source {i}" for i in range(60)]
    subjects = [f"Force {i}" for i in range(25)]
    outlets = [f"Outlet {i}" for i in range(80)]
    day0 = date(2023, 1, 1)
    base = {(s, m): rng.choice((50, 300, 2000, 10000)) for s in subjects for m in MEASURES}
    assertions = []
    for _ in range(n_claims // 3):
        subject, measure = rng.choice(subjects), rng.choice(MEASURES)
        day = rng.randrange(0, 730)
        growth = 1.0 + day / 365 if measure != "deployed" else 1.0
        value = round(base[(subject, measure)] * growth * rng.uniform(0.8, 1.25))
        as_of = (day0 + timedelta(days=day)).isoformat()
        assertions.append((rng.choice(sources), subject, measure, rng.choice(PLACES), value, as_of))
    with Ledger(path) as ledger:
        batch: list[tuple[Document, list[Claim]]] = []
        for d in range(n_docs):
            doc_id = f"doc{d:06d}"
            published = (day0 + timedelta(days=rng.randrange(0, 760))).isoformat()
            parts: list[str] = []
            claims: list[Claim] = []
            pos = 0
            for src, subject, measure, place, value, as_of in rng.sample(assertions, CLAIMS_PER_DOC):
                figure = f"{value:,}"
                head = f"{src} said that as of {as_of} "
                sentence = f"{head}{figure} of {subject} were {measure} in {place}. "
                start = pos + len(head)
                claims.append(
                    Claim(doc=doc_id, start=start, end=start + len(figure), figure=figure, low=float(value),
                          high=float(value), qualifier="exact", unit="persons", measure=measure,
                          subject=subject, location=place, source=src, as_of=as_of, kind="report",
                          sentence=sentence.strip(), source_text=src, published=published,
                          rules=("bench",))
                )
                parts.append(sentence)
                pos += len(sentence)
            doc = Document(id=doc_id, text="".join(parts), outlet=rng.choice(outlets), published=published,
                           title=f"Report {d}")
            batch.append((doc, claims))
            if len(batch) == 200:
                ledger.add_documents(batch)
                batch = []
        if batch:
            ledger.add_documents(batch)
        reconcile_ledger(ledger)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(conn: http.client.HTTPConnection, url: str) -> float:
    t0 = time.perf_counter()
    conn.request("GET", url)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - t0
    if response.status != 200 or not body:
        raise RuntimeError(f"{url}: HTTP {response.status}")
    return elapsed * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", default=None, help="reuse (or create) this ledger file")
    args = parser.parse_args(argv)

    import uvicorn

    from crosscount.web import create_app

    tmp = tempfile.TemporaryDirectory(prefix="crosscount-web-bench-")
    db = Path(args.db) if args.db else Path(tmp.name) / "ledger.db"
    if not db.exists():
        t0 = time.perf_counter()
        build(db, args.claims)
        print(f"built {db} ({args.claims:,} claims) in {time.perf_counter() - t0:.1f} s", flush=True)
    with Ledger(db) as ledger:
        stats = ledger.stats()
        variables = [v.id for v in ledger.variables()]
    print(f"ledger: {stats.documents:,} documents, {stats.claims:,} claims, {stats.statements:,} statements, "
          f"{stats.variables:,} variables, {stats.findings:,} findings", flush=True)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        t_first = timed(conn, "/")
        print(f"first request (builds the per-state cache): {t_first:.0f} ms", flush=True)
        rng = random.Random(5)
        pages = {
            "overview /": lambda i: "/",
            "variable /variables/{id}": lambda i: f"/variables/{variables[i % min(20, len(variables))]}",
            "/api/claims": lambda i: (
                f"/api/claims?limit=50&offset={rng.randrange(0, max(1, stats.claims - 50))}"
                if i % 2 else f"/api/claims?measure={MEASURES[i % len(MEASURES)]}&limit=50"
            ),
        }
        for label, make in pages.items():
            for i in range(min(20, args.requests)):  # warm: first chart of each variable is built once
                timed(conn, make(i))
            samples = sorted(timed(conn, make(i)) for i in range(args.requests))
            p50 = statistics.median(samples)
            p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
            verdict = "goal met" if p95 < 100 else ("ok" if p95 < 250 else "TOO SLOW")
            print(f"{label:28s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {samples[-1]:7.1f} ms   ({verdict})",
                  flush=True)
    finally:
        conn.close()
        server.should_exit = True
        thread.join(timeout=20)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
