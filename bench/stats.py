"""Statistics benchmark: the daily snapshot job and the /thong-ke/ pages over 10,000 or 1,000,000 dossiers.

    .venv/bin/python bench/stats.py                      # PostgreSQL, dvc_bench_stats_10000
    .venv/bin/python bench/stats.py --rows 1000000       # the DESIGN §11 size (heavy: run it once)

It builds its own PostgreSQL database per size and fills it like bench/lookup.py (INSERT … SELECT
generate_series: dossiers over 200 agencies and two years, 2024–2025, a realistic status mix;
no history events, so refusals, withdrawals and pauses count zero and the event subqueries find
nothing), then backfills the snapshot of the last `--days` days (default a year) with the
set-based pass the backfill command uses, times the nightly job for one day and the definitions'
day-by-day count, and times in-process (Django test client) the public page for a month, a
quarter and a year: the province, one agency, by procedure, by field (with a field filter) and the
Excel export, with their SQL counts.
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
    parser.add_argument("--days", type=int, default=365, help="days of snapshot to store (the last days of the data)")
    parser.add_argument("--reuse", action="store_true", help="keep the snapshot already stored by an earlier run")
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

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dichvucong.agencies.models import Agency
    from dichvucong.catalog.models import ProcedureField
    from dichvucong.stats.models import DailySnapshot, MonthlySnapshot
    from dichvucong.stats.selectors import local_today
    from dichvucong.stats.services import snapshot_compute, snapshot_store, snapshot_store_range

    call_command("migrate", verbosity=0)  # the bench database may predate the roll-up table
    first = last_day - dt.timedelta(days=args.days - 1)
    print(f"\nstatistics: {args.rows:,} dossiers on PostgreSQL; snapshot of {first} … {last_day}\n")
    if args.reuse and DailySnapshot.objects.filter(day=first).exists():
        print("reusing the stored snapshot")
    else:
        started = time.perf_counter()
        snapshot_store_range(first=first, last=last_day)
        took = time.perf_counter() - started
        print(
            f"backfill, set-based, a month per pass: {took:.1f} s for {args.days} days ({took / args.days:.2f} s a day)"
        )
    rows = DailySnapshot.objects.filter(day__gte=first, day__lte=last_day).count()
    print(f"rows: {rows:,} daily, {MonthlySnapshot.objects.count():,} monthly")
    started = time.perf_counter()
    snapshot_store(day=last_day)
    print(f"the nightly job for one day (set-based pass + month roll-up): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    snapshot_compute(day=last_day)
    print(f"one day by the definitions (16 grouped counts, today on demand): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    snapshot_compute(day=local_today())
    print(f"today on demand (16 grouped counts): {time.perf_counter() - started:.2f} s\n")

    agency = Agency.objects.filter(code__endswith=".K46").order_by("code").first()
    field = ProcedureField.objects.filter(versions__procedure__current_version__isnull=False).order_by("code").first()
    # The last whole month and quarter of the data, and the year ending on its last day.
    month_end = (
        last_day if (last_day + dt.timedelta(days=1)).day == 1 else last_day.replace(day=1) - dt.timedelta(days=1)
    )
    month_start = month_end.replace(day=1)
    quarter_start = (month_start - dt.timedelta(days=62)).replace(day=1)
    periods = {
        "month": (month_start, month_end),
        "quarter": (quarter_start, month_end),
        "year": (last_day - dt.timedelta(days=364), last_day),
    }
    client = Client()
    client.get("/thong-ke/")  # warm-up: templates, connections
    print(f"{'period':<8} {'page':<14} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'SQL/page':>9}")
    for label, (period_first, period_last) in periods.items():
        period = {"tu_ngay": period_first.isoformat(), "den_ngay": period_last.isoformat()}
        pages = {
            "province": period,
            "one agency": {**period, "co_quan": agency.code},
            "by procedure": {**period, "theo": "procedure"},
            "by field": {**period, "theo": "field", "linh_vuc": field.code},
            "Excel export": {**period, "xuat": "xlsx"},
        }
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
            print(f"{label:<8} {name:<14} {args.repeat:>4} {p50:8.1f} {p95:8.1f} {queries:9d}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
