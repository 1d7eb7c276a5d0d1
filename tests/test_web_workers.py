"""`crosscount serve` with several worker processes: what one worker is told, every worker knows.

The server runs as a real process (``python -m crosscount serve --workers 2``) on a real ledger, on
SQLite and on PostgreSQL. Each answer names the process that gave it (``X-Crosscount-Worker``), so
the tests hold one connection to each worker and check that a job queued through one is run and
reported through the other, that the other sees the new document at once, and that a form made by
one worker is accepted by the other (one CSRF secret per server).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest

from crosscount.ledger import Ledger
from crosscount.models import Document
from crosscount.pipeline import ingest_documents, reconcile_ledger

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Worker:
    """A kept-alive connection that one worker process of the server accepted."""

    opened: ClassVar[list[Worker]] = []  # closed when the server stops

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        Worker.opened.append(self)
        self.pid = self.get("/api/stats")[0]

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[str, int, bytes, dict[str, str]]:
        self.conn.request(method, url, body=body, headers=headers or {})
        response = self.conn.getresponse()
        data = response.read()
        return response.getheader("X-Crosscount-Worker", ""), response.status, data, dict(response.getheaders())

    def get(self, url: str) -> tuple[str, int, bytes]:
        pid, status, data, _ = self.request("GET", url)
        return pid, status, data

    def json(self, url: str) -> Any:
        pid, status, data = self.get(url)
        assert pid == self.pid, "a kept-alive connection stays with its worker"
        assert status == 200, data
        return json.loads(data)


def _one_per_worker(port: int, workers: int) -> list[Worker]:
    """A connection to each of the server's workers (new connections land on whichever accepts first)."""
    found: dict[str, Worker] = {}
    deadline = time.monotonic() + 60
    while len(found) < workers:
        assert time.monotonic() < deadline, f"only reached workers {sorted(found)}"
        w = Worker(port)
        if w.pid in found:
            w.conn.close()
        else:
            found[w.pid] = w
    return list(found.values())


def _wait_until_serving(proc: subprocess.Popen[bytes], port: int, log: Path | None = None) -> None:
    """Until the server answers on ``port`` (90 s at most); the server's log if it died first."""
    deadline = time.monotonic() + 90
    while True:
        try:
            Worker(port).conn.close()
            return
        except OSError:
            assert proc.poll() is None, log.read_text() if log is not None else "serve exited"
            assert time.monotonic() < deadline, "serve did not answer within 90 s"
            time.sleep(0.2)


@pytest.fixture
def served(ledger_url: str, tmp_path: Path) -> Iterator[tuple[int, str]]:
    """``crosscount serve --workers 2`` on a ledger holding one article; yields its port and ledger."""
    with Ledger(ledger_url) as ledger:
        ingest_documents(ledger, [Document("harbour.txt", "Officials said 12 people were killed when the harbour "
                                           "crane fell on Monday.", outlet="Coast Daily", published="2025-03-04")])
        reconcile_ledger(ledger)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "crosscount", "serve", "--db", ledger_url, "--port", str(port),
                             "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(proc, port, tmp_path / "serve.log")
        yield port, ledger_url
    finally:
        while Worker.opened:
            Worker.opened.pop().conn.close()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode is not None


def test_a_job_queued_through_one_worker_is_run_and_seen_through_the_other(served: tuple[int, str]) -> None:
    port, ledger_url = served
    first, second = _one_per_worker(port, 2)
    assert first.pid != second.pid
    before = second.json("/api/documents")["total"]
    text = "Police said 9 people were killed in a fire at the market on Tuesday."
    pid, status, data, _ = first.request("POST", "/api/documents", body=urlencode({"text": text}).encode(),
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert pid == first.pid and status == 202, data
    job_id = json.loads(data)["id"]
    deadline = time.monotonic() + 120
    while not (job := second.json(f"/api/jobs/{job_id}"))["finished"]:
        assert time.monotonic() < deadline, job
        first.json("/api/stats")  # within uvicorn's 5 s keep-alive, so the connection stays with its worker
        time.sleep(0.2)
    assert job["status"] == "done" and job["claims_added"] >= 1 and len(job["documents"]) == 1, job
    assert any(j["id"] == job_id for j in second.json("/api/jobs")["items"])
    # the other worker's cached views see the new document at once (on PostgreSQL too, with no file to watch)
    assert second.json("/api/documents")["total"] == before + 1
    assert first.json("/api/documents")["total"] == before + 1
    assert job_id in second.get(f"/jobs/{job_id}")[2].decode()
    with Ledger(ledger_url) as ledger:
        assert ledger.stats().documents == before + 1


def test_a_form_from_one_worker_is_accepted_by_the_other(served: tuple[int, str]) -> None:
    port, _ = served
    first, second = _one_per_worker(port, 2)
    token = re.search(r'name="csrf" value="([^"]+)"', first.get("/documents")[2].decode())
    assert token is not None
    page = first.json("/api/documents?limit=1")["items"][0]["id"]
    pid, status, data, _ = second.request(
        "POST", f"/documents/{page}/delete", body=urlencode({"csrf": token.group(1)}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"})
    assert pid == second.pid and status == 303, data
    assert first.json("/api/documents")["total"] == 0
    stale = second.request("POST", "/documents/x/delete", body=b"csrf=guess",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert stale[1] == 403  # the shared secret is still a secret


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_stopped_server_leaves_no_shared_directory(tmp_path: Path, workers: str) -> None:
    db = tmp_path / "ledger.db"
    with Ledger(db):
        pass
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(scratch),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "crosscount", "serve", "--db", str(db), "--port", str(port),
                             "--workers", workers], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_serving(proc, port)
        assert [p.name for p in scratch.iterdir() if p.name.startswith("crosscount-serve-")]
    finally:
        while Worker.opened:
            Worker.opened.pop().conn.close()
        proc.terminate()  # SIGTERM, as a service manager stops it
        proc.wait(timeout=60)
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("crosscount-serve-")]
