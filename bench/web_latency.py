"""Latency of the web app under load: p50/p95 at 1 and at 50 concurrent clients.

Builds a synthetic ledger (documents whose text carries every figure its claims point at;
assertions of a source repeated by several outlets, so statements merge; counts that grow
over time, so there are agreements, conflicts and evolutions), reconciles it, starts
``crosscount serve`` on it (a separate process, with ``--workers`` as given; the default is one
worker per core) on 127.0.0.1 and a free port, and times four pages: the overview, a variable
page, ``/api/claims`` and a large list page (``/documents?limit=1000``). One client sends
``--requests`` requests one after another; then ``--clients`` clients (threads, each on its own
keep-alive connection) send requests for ``--seconds`` seconds. Printed per page and load:
p50, p95, max, requests per second and errors.

    .venv/bin/python bench/web_latency.py                              # 2,880 claims, 1 and 50 clients
    .venv/bin/python bench/web_latency.py --claims 100000 --workers 1 --db /tmp/w.db
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
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


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def under_load(port: int, make: Callable[[int], str], clients: int, seconds: float) -> tuple[list[float], int]:
    """``clients`` threads, each on its own connection, requesting for ``seconds``: latencies and errors."""
    samples: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(k: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        bad = 0
        i = k
        while time.perf_counter() < stop:
            try:
                mine.append(timed(conn, make(i)))
            except (OSError, RuntimeError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            i += clients
        conn.close()
        with lock:
            samples.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, errors


def serve(db: Path, port: int, workers: int | None) -> subprocess.Popen[bytes]:
    """``crosscount serve`` on ``db`` in its own process, from this tree; returns once it answers."""
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "crosscount", "serve", "--db", str(db), "--port", str(port)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            timed(conn, "/api/stats")
            conn.close()
            return proc
        except (OSError, RuntimeError):
            if proc.poll() is not None:
                raise SystemExit(f"crosscount serve exited with {proc.returncode}") from None
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("crosscount serve did not answer within 60 s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2_880)
    parser.add_argument("--requests", type=int, default=100, help="requests per page from the single client")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients for the load run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each page's load run")
    parser.add_argument("--workers", type=int, default=None, help="serve --workers (default: serve's own)")
    parser.add_argument("--only", default="", help="page labels (substrings), comma-separated")
    parser.add_argument("--db", default=None, help="reuse (or create) this ledger file")
    args = parser.parse_args(argv)

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
          f"{stats.variables:,} variables, {stats.findings:,} findings; {os.cpu_count()} cores; "
          f"serve --workers {args.workers if args.workers is not None else '(default)'}", flush=True)

    port = free_port()
    proc = serve(db, port, args.workers)
    rng = random.Random(5)
    pages: dict[str, Callable[[int], str]] = {
        "overview /": lambda i: "/",
        "variable /variables/{id}": lambda i: f"/variables/{variables[i % min(20, len(variables))]}",
        "/api/claims": lambda i: (
            f"/api/claims?limit=50&offset={rng.randrange(0, max(1, stats.claims - 50))}"
            if i % 2 else f"/api/claims?measure={MEASURES[i % len(MEASURES)]}&limit=50"
        ),
        "list /documents?limit=1000": lambda i: "/documents?limit=1000",
    }
    only = [o.strip() for o in args.only.split(",") if o.strip()]
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        print(f"first request (builds the per-state cache): {timed(conn, '/'):.0f} ms", flush=True)
        print(f"{'page':28s} {'clients':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} {'req/s':>7s} {'errors':>6s}")
        for label, make in pages.items():
            if only and not any(o in label for o in only):
                continue
            conn.close()  # idle through the last load run: past the server's keep-alive
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for i in range(min(20, args.requests)):  # warm: each variable's chart is built once per worker
                timed(conn, make(i))
            t0 = time.perf_counter()
            single = [timed(conn, make(i)) for i in range(args.requests)]
            rate = len(single) / (time.perf_counter() - t0)
            print(f"{label:28s} {1:7d} {percentile(single, 0.5):8.1f} {percentile(single, 0.95):8.1f} "
                  f"{max(single):8.1f} {rate:7.1f} {0:6d}", flush=True)
            loaded, errors = under_load(port, make, args.clients, args.seconds)
            if loaded:
                print(f"{'':28s} {args.clients:7d} {percentile(loaded, 0.5):8.1f} {percentile(loaded, 0.95):8.1f} "
                      f"{max(loaded):8.1f} {len(loaded) / args.seconds:7.1f} {errors:6d}", flush=True)
            else:
                print(f"{'':28s} {args.clients:7d} no answer ({errors} errors)", flush=True)
        conn.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
