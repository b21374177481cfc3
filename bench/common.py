"""Helpers shared by the benchmarks and the production drill: a production-like environment, a PostgreSQL
database, percentiles, and driving real gunicorn processes over HTTP."""

from __future__ import annotations

import re
import socket
import statistics
import sys
import time
from pathlib import Path


def environment(database_url: str, data_dir: Path) -> dict[str, str]:
    return {
        "READ_DOTENV": "0",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuv",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_MANIFEST": "0",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "HUEY_IMMEDIATE": "1",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def create_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50 * 1000, p95 * 1000


# --- Driving real gunicorn processes over HTTP (bench/submit_load.py, scripts/production_drill.py) --


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def wait_for_port(port: int, *, timeout: float = 60, host: str = "127.0.0.1", process=None) -> None:
    """Until something accepts connections on host:port; fails early if `process` already exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode} before listening on {port}")
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


def gunicorn_command(*, port: int, workers: int, timeout: int = 120, access_log: bool = False) -> list[str]:
    """gunicorn serving config.wsgi on loopback, sync workers, errors (and optionally access) on stderr."""
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", str(workers),
        "-b", f"127.0.0.1:{port}", "--timeout", str(timeout), "--error-logfile", "-",
        "--no-control-socket",  # see docs/operations.md: several masters on a host would share one
    ]  # fmt: skip
    return [*command, "--access-logfile", "-"] if access_log else command
