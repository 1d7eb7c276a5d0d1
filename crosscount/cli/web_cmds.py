"""`crosscount serve`: the web app over a ledger, on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import tempfile
from pathlib import Path

import click

from crosscount.cli import main
from crosscount.cli.common import db_option


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost": addresses only this machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback needs a token for writes.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port to bind.")
@click.option("--token", default=None, envvar="CROSSCOUNT_TOKEN", show_envvar=True,
              help="Token that uploads and deletes must carry (header 'Authorization: Bearer T' or a form field).")
@click.option("--max-upload-mb", default=5.0, show_default=True, type=click.FloatRange(0.001, 1000),
              help="Largest upload accepted, in megabytes.")
@click.option("--workers", default=None, type=click.IntRange(1, 256),
              help="Worker processes serving requests (default: one per core). They share the job queue, "
                   "so an upload sent to one is run by whichever is free and seen through all.")
@click.option("--allowed-host", "allowed_hosts", multiple=True,
              help="Another host name the server answers to (the Host header), e.g. its DNS name; repeatable. "
                   "Requests naming any other host are refused (DNS rebinding).")
def serve(db: str, host: str, port: int, token: str | None, max_upload_mb: float, workers: int | None,
          allowed_hosts: tuple[str, ...]) -> None:
    """Serve the web app and its JSON API over the ledger (pages at /, API docs at /docs)."""
    token = token or os.environ.get("CROSSCOUNT_TOKEN") or None
    if not is_loopback(host) and not token:
        raise click.UsageError(
            f"refusing to serve on {host} without a token: anyone who can reach it could change the "
            "ledger. Pass --token T (or set CROSSCOUNT_TOKEN), or bind 127.0.0.1."
        )
    import uvicorn

    from crosscount.errors import CrosscountError
    from crosscount.web import create_app
    from crosscount.web.app import LOOPBACK_HOSTS, SHARED_DIR_ENV, write_server_config

    if is_loopback(host):
        hosts = [*LOOPBACK_HOSTS, host, *allowed_hosts]
    elif host in ("0.0.0.0", "::", ""):  # every address of the machine: any name (writes need the token)
        hosts = [*allowed_hosts] if allowed_hosts else ["*"]
    else:
        hosts = [host, *allowed_hosts]
    # one per core this process may run on (a container's CPU set, not the whole machine's count)
    workers = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()) or 1
    with tempfile.TemporaryDirectory(prefix="crosscount-serve-") as shared:
        try:  # open the ledger once here, so a bad --db is one message before any worker starts
            create_app(db, token=token, hosts=hosts, shared_dir=shared).state.web.close()
        except CrosscountError as err:
            raise click.ClickException(str(err)) from err
        write_server_config(Path(shared), db, token=token, max_upload_bytes=int(max_upload_mb * 1_000_000),
                            hosts=hosts)
        os.environ[SHARED_DIR_ENV] = shared
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"crosscount: serving {db} on http://{shown}:{port}/ with {workers} worker process"
                   f"{'es' if workers != 1 else ''} (writes {'need the token' if token else 'open'})", err=True)
        # uvicorn raises a caught SIGTERM again once it has stopped; as an exception it lets this block
        # remove the shared directory (which holds the token), where the default action would not
        signal.signal(signal.SIGTERM, _exit_on_term)
        config = uvicorn.Config("crosscount.web.app:app_from_shared_dir", factory=True, host=host, port=port,
                                workers=workers, log_level="warning", access_log=False)
        sock = _listen(host, port)
        if workers > 1:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])


def _exit_on_term(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket every worker process accepts on. It names the TCP protocol, so each
    worker's event loop turns Nagle's algorithm off on its connections (a socket made with protocol 0,
    as uvicorn makes its own for several workers, leaves it on: every answer on a kept-alive connection
    then waits 40 ms for a delayed ACK)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as err:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    sock.set_inheritable(True)
    return sock
