"""Catalogue benchmark: search and detail pages over a catalogue the size of the national database.

    .venv/bin/python bench/catalog.py                      # SQLite file under /tmp, 6,000 procedures
    .venv/bin/python bench/catalog.py --postgres           # PostgreSQL on 127.0.0.1:5432 (database dvc_bench)
    .venv/bin/python bench/catalog.py --count 2000 --requests 100

It builds its own database (never the development one), loads the demo agencies and catalogue,
tops the catalogue up with synthetic procedures, then measures each page in-process (Django's test
client) and over HTTP (gunicorn, 2 workers, on 127.0.0.1), and counts the SQL queries per page.
Figures only: nothing is asserted (tests never assert timings).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import create_postgres_database, environment, percentiles

BASE_DIR = Path(__file__).resolve().parent.parent
QUERIES = [
    "khai sinh",
    "dang ky khai sinh",
    "Đăng ký kết hôn",
    "1.001193",
    "chung thuc ban sao",
    "giay phep xay dung",
    "thu tuc",
    "",
]


def top_up(count: int) -> None:
    """Synthetic procedures (manage.py catalog_generate) until the catalogue holds `count`; the demo one first."""
    from django.core.management import call_command

    from dichvucong.catalog.models import Procedure

    missing = count - Procedure.objects.count()
    if missing > 0:
        sink = open(os.devnull, "w")  # noqa: SIM115 - the generator's report is not wanted here
        started = time.perf_counter()
        call_command("catalog_generate", count=missing, seed=1, verbosity=0, stdout=sink)
        print(f"generated {missing} synthetic procedures in {time.perf_counter() - started:.1f} s")


def _prepare(count: int) -> list[str]:
    import django

    django.setup()
    from django.core.management import call_command

    from dichvucong.agencies import demo as agencies_demo
    from dichvucong.catalog.models import Procedure

    call_command("migrate", verbosity=0)
    sink = open(os.devnull, "w")  # noqa: SIM115 - the loaders' reports are not wanted here
    agencies_demo.load(sink)
    from dichvucong.catalog import demo as catalog_demo

    catalog_demo.load(sink)
    top_up(count)
    return list(Procedure.objects.filter(current_version__isnull=False).values_list("code", flat=True))


def _in_process(codes: list[str], requests: int) -> list[tuple[str, float, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    rows = []
    pages = {
        "search": [f"/thu-tuc-hanh-chinh/?q={urllib.parse.quote(q)}" for q in QUERIES],
        "detail": [f"/thu-tuc-hanh-chinh/{code}/" for code in random.Random(2).sample(codes, 50)],
    }
    for name, urls in pages.items():
        for url in urls[:3]:  # warm-up
            client.get(url)
        samples, queries = [], 0
        for i in range(requests):
            url = urls[i % len(urls)]
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            queries = max(queries, len(captured.captured_queries))
        rows.append((name, *percentiles(samples), queries))
    return rows


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _over_http(env: dict[str, str], codes: list[str], requests: int) -> list[tuple[str, float, float]]:
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own server on loopback
        [
            str(gunicorn),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--no-control-socket",
        ],
        cwd=BASE_DIR,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()  # noqa: S310 - loopback only
                break
            except OSError:
                time.sleep(0.2)
        rows = []
        pages = {
            "search": [f"/thu-tuc-hanh-chinh/?q={urllib.parse.quote(q)}" for q in QUERIES],
            "detail": [f"/thu-tuc-hanh-chinh/{code}/" for code in random.Random(3).sample(codes, 50)],
        }
        for name, urls in pages.items():
            samples = []
            for i in range(requests + 5):
                started = time.perf_counter()
                urllib.request.urlopen(base + urls[i % len(urls)], timeout=10).read()  # noqa: S310
                if i >= 5:  # warm-up
                    samples.append(time.perf_counter() - started)
            rows.append((name, *percentiles(samples)))
        return rows
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=6000, help="procedures in the catalogue")
    parser.add_argument("--requests", type=int, default=200, help="requests per page kind")
    parser.add_argument("--postgres", action="store_true", help="use PostgreSQL (database dvc_bench)")
    args = parser.parse_args()

    data_dir = Path(tempfile.gettempdir()) / "dvc-bench"
    data_dir.mkdir(exist_ok=True)
    if args.postgres:
        create_postgres_database("dvc_bench")
        database_url = "postgres://postgres@127.0.0.1:5432/dvc_bench"
    else:
        database_url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    env = environment(database_url, data_dir)
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    codes = _prepare(args.count)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\ncatalogue: {len(codes)} procedures on {engine}; {args.requests} requests per page kind\n")
    print(f"{'page':<8} {'where':<11} {'p50 ms':>8} {'p95 ms':>8} {'SQL/page':>9}")
    in_process = _in_process(codes, args.requests)
    for name, p50, p95, queries in in_process:
        print(f"{name:<8} {'in-process':<11} {p50:8.1f} {p95:8.1f} {queries:9d}")
    for name, p50, p95 in _over_http(env, codes, args.requests):
        print(f"{name:<8} {'HTTP':<11} {p50:8.1f} {p95:8.1f} {'':>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
