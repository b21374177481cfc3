"""Statistics benchmark: the daily snapshot job and the /thong-ke/ pages over 10,000 or 1,000,000 dossiers.

    .venv/bin/python bench/stats.py                      # PostgreSQL, dvc_bench_stats_10000
    .venv/bin/python bench/stats.py --rows 1000000       # the DESIGN §11 size (heavy: run it once)

It builds its own PostgreSQL database per size and fills it like bench/lookup.py (INSERT … SELECT
generate_series: dossiers over 200 agencies and two years, 2024–2025, a realistic status mix;
no history events, so refusals, withdrawals and pauses count zero and the event subqueries find
nothing), then stores the snapshot of the last `--days` days of the data with the job's own
function, times the on-demand count of today, and times in-process (Django test client) the
public page for the province, one agency, by procedure and the Excel export, with their SQL counts.
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from common import create_postgres_database, environment, percentiles

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "dvc_bench_stats"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="sent dossiers in the table")
    parser.add_argument("--days", type=int, default=7, help="days of snapshot to store (the last days of the data)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    args = parser.parse_args()

    data_dir = Path(tempfile.gettempdir()) / "dvc-bench-stats"
    data_dir.mkdir(exist_ok=True)
    create_postgres_database(f"{DATABASE}_{args.rows}")
    os.environ.update(environment(f"postgres://postgres@127.0.0.1:5432/{DATABASE}_{args.rows}", data_dir))
    sys.path.insert(0, str(BASE_DIR))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import lookup  # the same fill, so both benches describe the same portal

    lookup._prepare(args.rows, postgres=True)
    # bench/lookup.py spreads row i over agency i % A and day (i // A) % DAYS: the last day filled.
    filled_days = min(lookup.DAYS, -(-args.rows // lookup.SYNTHETIC_AGENCIES))
    last_day = lookup.FIRST_DAY + dt.timedelta(days=filled_days - 1)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dichvucong.agencies.models import Agency
    from dichvucong.stats.models import DailySnapshot
    from dichvucong.stats.selectors import local_today
    from dichvucong.stats.services import snapshot_compute, snapshot_store

    first = last_day - dt.timedelta(days=args.days - 1)
    print(f"\nstatistics: {args.rows:,} dossiers on PostgreSQL; snapshot of {first} … {last_day}\n")
    timings = []
    day = first
    while day <= last_day:
        started = time.perf_counter()
        snapshot_store(day=day)
        timings.append(time.perf_counter() - started)
        day += dt.timedelta(days=1)
    rows = DailySnapshot.objects.filter(day__gte=first, day__lte=last_day).count()
    print(f"snapshot job: {sum(timings) / len(timings):.2f} s a day (max {max(timings):.2f} s), {rows:,} rows stored")
    started = time.perf_counter()
    snapshot_compute(day=local_today())
    print(f"today on demand (16 grouped counts): {time.perf_counter() - started:.2f} s\n")

    agency = Agency.objects.filter(code__endswith=".K46").order_by("code").first()
    period = {"tu_ngay": first.isoformat(), "den_ngay": last_day.isoformat()}
    pages = {
        "province": period,
        "one agency": {**period, "co_quan": agency.code},
        "by procedure": {**period, "theo": "procedure"},
        "Excel export": {**period, "xuat": "xlsx"},
    }
    client = Client()
    client.get("/thong-ke/", period)  # warm-up: templates, connections
    print(f"{'page':<14} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'SQL/page':>9}")
    for name, query in pages.items():
        samples, queries = [], 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get("/thong-ke/", query)
                samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{name}: answered {response.status_code}")
            queries = max(queries, len(captured.captured_queries))
        p50, p95 = percentiles(samples)
        print(f"{name:<14} {args.repeat:>4} {p50:8.1f} {p95:8.1f} {queries:9d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
