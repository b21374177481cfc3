"""Hot pages over HTTP: several gunicorn processes on PostgreSQL, a load generator on loopback.

    .venv/bin/python bench/pages.py --rows 10000         # database dvc_bench_pages_10000
    .venv/bin/python bench/pages.py --rows 1000000       # the DESIGN §11 size (the first fill takes minutes)
    .venv/bin/python bench/pages.py --table              # the last results of both sizes, side by side

The data is bench/pages_data.py's (reused when already filled): `--rows` dossiers in all, a catalogue
of 6,000 procedures, an applicant with 1,000 dossiers in every folder, an agency with 5,000 dossiers
in every back-office queue and one officer per role, the statistics snapshots of the last days.
gunicorn serves the portal with bench_settings (the portal's settings, Redis cache as in production,
plus two reference views and a middleware counting each answer's SQL queries): a bare view and a view
making one indexed query, in the same processes and the same run, so that each page is read as a ratio
to them (absolute times are noisy on a shared machine). Officers are logged in with a verified
authenticator in their session: two-factor stays on, as in production. For each page of PAGES, at 1
and at 16 concurrent users (aiohttp, keep-alive), it prints p50/p95/p99, requests/s, the throughput as
a share of the one-query view's (measured at the same concurrency in turn with the page, `--rounds`
times, pooled), the SQL queries per answer and the targets missed; then, in-process,
each page's slowest query with its EXPLAIN ANALYZE (bench/results/pages-<rows>-explain.txt). Results
go to bench/results/pages-<rows>.json, so that the table shows 10,000 and 1,000,000 side by side with
the 1,000,000 / 10,000 ratio. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from common import create_postgres_database, environment

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
REFERENCES = ("bare view", "one-query view")

# name, address, who is logged in (None: nobody; "citizen": the focus applicant; a role: that officer).
# In addresses: {code} a look-up code, {pk} a dossier number, {own} a sent dossier of the applicant,
# {focus} a sent dossier of the focus agency, {procedure} a catalogue code, {first}/{last} the days
# whose statistics snapshots are stored.
PAGES: list[tuple[str, str, str | None]] = [
    ("bare view", "/__bench/bare/", None),
    ("one-query view", "/__bench/one-query/?pk={pk}", None),
    ("look-up", "/tra-cuu/?ma={code}", None),
    ("catalogue search", "/thu-tuc-hanh-chinh/?q=khai+sinh", None),
    ("catalogue home", "/thu-tuc-hanh-chinh/", None),
    ("procedure page", "/thu-tuc-hanh-chinh/{procedure}/", None),
    ("folders: first visit", "/ho-so/", "citizen"),
    ("folder đã gửi", "/ho-so/?thu-muc=da-gui", "citizen"),
    ("folder đang xử lý (biggest)", "/ho-so/?thu-muc=dang-xu-ly", "citizen"),
    ("folder đã trả kết quả p. 5", "/ho-so/?thu-muc=da-tra-ket-qua&trang=5", "citizen"),
    ("citizen dossier page", "/ho-so/{own}/", "citizen"),
    ("queue chờ tiếp nhận", "/mot-cua/?hang-doi=cho-tiep-nhan", "mot_cua"),
    ("queue việc của tôi: chuyên viên", "/mot-cua/?hang-doi=viec-cua-toi", "chuyen_vien"),
    ("queue việc của tôi: LĐ phòng", "/mot-cua/?hang-doi=viec-cua-toi", "lanh_dao_phong"),
    ("queue việc của tôi: LĐ cơ quan", "/mot-cua/?hang-doi=viec-cua-toi", "lanh_dao_co_quan"),
    ("queue việc của tôi: văn thư", "/mot-cua/?hang-doi=viec-cua-toi", "van_thu"),
    ("queue sắp đến hạn", "/mot-cua/?hang-doi=sap-den-han", "chuyen_vien"),
    ("queue quá hạn", "/mot-cua/?hang-doi=qua-han", "chuyen_vien"),
    ("queue chờ trả kết quả", "/mot-cua/?hang-doi=cho-tra-ket-qua", "mot_cua"),
    ("queue tất cả", "/mot-cua/?hang-doi=tat-ca", "mot_cua"),
    ("queue tất cả: tìm theo tên", "/mot-cua/?hang-doi=tat-ca&nguoi-nop=Th%E1%BB%AD", "mot_cua"),
    ("queue xin ý kiến", "/mot-cua/xin-y-kien/", "chuyen_vien"),
    ("officer dossier page", "/mot-cua/ho-so/{focus}/", "chuyen_vien"),
    ("statistics: this month", "/thong-ke/", None),
    ("statistics: stored days", "/thong-ke/?tu_ngay={first}&den_ngay={last}", None),
    ("officer statistics", "/mot-cua/thong-ke/", "lanh_dao_co_quan"),
]
MAX_QUERIES = 15


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


def address(template: str, values: dict[str, Any]) -> str:
    return template.format(
        code=random.choice(values["codes"]),
        pk=random.choice(values["pks"]),
        own=random.choice(values["own"]),
        focus=random.choice(values["focus"]),
        procedure=random.choice(values["procedures"]),
        first=values["stats_first"],
        last=values["stats_last"],
    )


async def load(
    base: str, template: str, values: dict, users: int, requests: int, seconds: float, cookie: str | None
) -> dict:
    import aiohttp

    latencies: list[float] = []
    queries: list[int] = []
    sql_ms: list[float] = []
    errors = 0
    remaining = requests
    deadline = time.perf_counter() + seconds
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}

    async def user(session: aiohttp.ClientSession) -> None:
        nonlocal remaining, errors
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            started = time.perf_counter()
            try:
                async with session.get(
                    base + address(template, values), headers=headers, allow_redirects=False
                ) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                    queries.append(int(response.headers.get("X-Bench-Queries", "-1")))
                    sql_ms.append(float(response.headers.get("X-Bench-SQL-ms", "0")))
            except (TimeoutError, aiohttp.ClientError):
                errors += 1  # counted with its time: a page that times out is the slowest answer
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=users)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(session) for _ in range(users)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "elapsed": elapsed, "errors": errors, "queries": queries, "sql_ms": sql_ms}


def pooled(samples: list[dict]) -> dict:
    """The figures of several rounds of the same cell taken together (percentiles over every answer)."""
    latencies = sorted(x for s in samples for x in s["latencies"])
    queries = [q for s in samples for q in s["queries"]]
    sql_ms = sorted(x for s in samples for x in s["sql_ms"])
    return {
        "n": len(latencies),
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "rps": len(latencies) / sum(s["elapsed"] for s in samples),
        "errors": sum(s["errors"] for s in samples),
        "queries": max(queries, default=-1),
        "sql_ms_p50": sql_ms[len(sql_ms) // 2] if sql_ms else 0.0,
    }


def sessions(fill: Any) -> dict[str, str]:
    """A session per person, made directly (the bench accounts have no password); officers' with
    their authenticator verified, as after the TOTP page."""
    import pages_data
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dichvucong.accounts.models import User

    people = {"citizen": pages_data.APPLICANT} | {role: name for role, (name, _n) in pages_data.OFFICERS.items()}
    keys = {}
    for who, username in people.items():
        user = User.objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        keys[who] = session.session_key
    return keys


def slowest_queries(pages: list[tuple[str, str, str | None]], values: dict, keys: dict[str, str]) -> dict[str, dict]:
    """In-process (the test client, the same settings): each page's slowest read over 5 requests, explained."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    found = {}
    for page, template, who in pages:
        client = Client()
        if who:
            client.cookies["sessionid"] = keys[who]
        worst: dict[str, Any] = {"ms": -1.0}
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                client.get(address(template, values))
            for query in captured.captured_queries:
                # Reads only: a write (the audit entry, the session) cannot be explained twice.
                reads = query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
                if reads and float(query["time"]) * 1000 > worst["ms"]:
                    worst = {"ms": float(query["time"]) * 1000, "sql": query["sql"]}
        if "sql" in worst:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + worst["sql"])
                worst["plan"] = "\n".join(row[0] for row in cursor.fetchall())
        found[page] = worst
    return found


def misses(page: str, row: dict, reference_rps: float) -> list[str]:
    """The issue's targets this cell misses (at 16 users for folders and queues, as the issue says)."""
    out = []
    if row["queries"] > MAX_QUERIES:
        out.append(f"{row['queries']} SQL > {MAX_QUERIES}")
    if page == "look-up":
        if row["p95"] >= 50:
            out.append("p95 ≥ 50")
        if row["rps"] < 0.6 * reference_rps:
            out.append("< 60 % of 1-query")
    if page == "catalogue search" and row["p95"] >= 50:
        out.append("p95 ≥ 50")
    if (page.startswith(("folder", "queue"))) and row["users"] == 16 and row["p95"] >= 150:
        out.append("p95 ≥ 150")
    return out


def uptime() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(args: argparse.Namespace) -> dict:
    data_dir = Path("/tmp/dvc-bench-pages")  # noqa: S108 - the bench's own folder
    data_dir.mkdir(exist_ok=True)
    name = f"dvc_bench_pages_{args.rows}"
    create_postgres_database(name)
    env = environment(f"postgres://postgres@127.0.0.1:5432/{name}", data_dir)
    env.update(
        {
            "LOOKUP_FREE_TRIES": "1000000000",
            "LOOKUP_MAX_PER_HOUR": "1000000000",
            "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
            "DJANGO_SETTINGS_MODULE": "bench_settings",
        }
    )
    os.environ.update(env)
    sys.path[:0] = [str(BENCH_DIR), str(BASE_DIR)]
    import django

    django.setup()
    import pages_data

    started = time.perf_counter()
    fill = pages_data.prepare(args.rows, stats_days=args.stats_days, refill_focus=args.refill_focus)
    print(f"data ready in {time.perf_counter() - started:.1f} s")
    values = asdict(fill)
    values["stats_first"], values["stats_last"] = fill.stats_first.isoformat(), fill.stats_last.isoformat()
    if args.fill_only:
        return {}
    keys = sessions(fill)
    selected = [p for p in PAGES if not args.only or p[0] in args.only or p[0] in REFERENCES]

    server_env = {**os.environ, "PYTHONPATH": f"{BENCH_DIR}:{BASE_DIR}"}
    server = subprocess.Popen(  # noqa: S603 - our own server on loopback
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", str(args.workers),
         "-b", f"127.0.0.1:{args.port}", "--error-logfile", "-", "--log-level", "warning", "--timeout", "120",
         "--no-control-socket"],
        env=server_env, cwd=BASE_DIR,
    )  # fmt: skip
    # A SIGTERM ends the run through the `finally` below, so the server never outlives it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    base = f"http://127.0.0.1:{args.port}"
    load_before = uptime()
    results = []
    try:
        import socket

        for _ in range(300):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", args.port)) == 0:
                    break
            time.sleep(0.2)
        reference_template = next(t for name, t, _who in PAGES if name == "one-query view")
        for page, template, who in selected:
            cookie = keys[who] if who else None
            warm = asyncio.run(load(base, template, values, 4, 20, 60, cookie))  # every process, templates
            if warm["errors"]:
                print(f"  {page}: {warm['errors']} of 20 warm-up answers were not 200")
            for users in (1, 16):
                # The one-query view and the page in turn, `--rounds` times: the machine's speed moves
                # by a third within seconds (other jobs on the host), and the page's share is read
                # against the reference measured in the same seconds, pooled over the rounds.
                part, seconds = max(1, args.requests // args.rounds), args.seconds / args.rounds
                adjacent, measured = [], []
                for _round in range(args.rounds):
                    adjacent.append(asyncio.run(load(base, reference_template, values, users, part, seconds, None)))
                    measured.append(asyncio.run(load(base, template, values, users, part, seconds, cookie)))
                row = pooled(measured)
                results.append({"page": page, "users": users, **row, "reference_rps": pooled(adjacent)["rps"]})
                print(
                    f"  {page:<32} {users:>2} users: p95 {row['p95']:7.1f} ms, {row['rps']:6.1f} req/s, "
                    f"{row['queries']} SQL, {row['errors']} non-200"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = uptime()
    print("slowest query per page (in-process) …")
    slowest = slowest_queries(selected, values, keys)
    for r in results:
        r["share"] = r["rps"] / r["reference_rps"]
        r["misses"] = misses(r["page"], r, r["reference_rps"])
    report = {
        "rows": args.rows,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "workers": args.workers,
        "requests": args.requests,
        "seconds_cap": args.seconds,
        "rounds": args.rounds,
        "load_before": load_before,
        "load_after": load_after,
        "fill_seconds": fill.seconds,
        "applicant_dossiers": fill.owned,
        "stats_days": [values["stats_first"], values["stats_last"]],
        "results": results,
        "slowest": {page: {k: v for k, v in q.items() if k != "plan"} for page, q in slowest.items()},
    }
    RESULTS.mkdir(exist_ok=True)
    saved = RESULTS / f"pages-{args.rows}.json"
    if args.only and saved.exists():
        # A partial run replaces its pages in the saved results (their shares are of this run's
        # references), so one page can be measured again without the whole list.
        kept = json.loads(saved.read_text())
        measured = {r["page"] for r in results} - set(REFERENCES)
        kept["results"] = [r for r in kept["results"] if r["page"] not in measured] + [
            r for r in results if r["page"] in measured
        ]
        kept["results"].sort(key=lambda r: [p[0] for p in PAGES].index(r["page"]))
        kept["slowest"].update({page: q for page, q in report["slowest"].items() if page in measured})
        kept.setdefault("partial_runs", []).append(
            {"pages": sorted(measured), "when": report["when"], "load_before": load_before, "load_after": load_after}
        )
        report = kept
    saved.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    explain = RESULTS / f"pages-{args.rows}-explain.txt"
    plans = {**_read_plans(explain), **slowest} if args.only else slowest
    with explain.open("w") as out:
        for page in [p[0] for p in PAGES if p[0] in plans]:
            query = plans[page]
            out.write(f"== {page}: {query['ms']:.1f} ms\n{query.get('sql', '')}\n{query.get('plan', '')}\n\n")
    return report


def _read_plans(path: Path) -> dict[str, dict]:
    """The explain file back into {page: {ms, sql, plan}}."""
    plans: dict[str, dict] = {}
    if not path.exists():
        return plans
    for block in path.read_text().split("== ")[1:]:
        head, _sep, body = block.partition("\n")
        page, _sep, ms = head.rpartition(": ")
        sql, _sep, plan = body.partition("\n")
        plans[page] = {"ms": float(ms.removesuffix(" ms")), "sql": sql, "plan": plan.strip()}
    return plans


def table(reports: list[dict]) -> None:
    for report in reports:
        print(
            f"{report['rows']:,} dossiers, {report['when']}: gunicorn -w {report['workers']} (sync), "
            f"≤ {report['requests']} requests or {report['seconds_cap']} s a cell; load average "
            f"{report['load_before']} before, {report['load_after']} after; fill {report['fill_seconds']}"
        )
    print()
    by_size = [{(r["page"], r["users"]): r for r in report["results"]} for report in reports]
    head = ["page", "users"]
    for report in reports:
        size = f"{report['rows'] // 1000:,}k"
        head += [f"{size} p50/p95/p99 ms", f"{size} req/s", f"{size} /1-query", f"{size} SQL (ms p50)"]
    if len(reports) == 2:
        head += ["share 10k÷1M", "req/s 10k÷1M", "misses (largest size)"]
    else:
        head += ["misses"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key in by_size[0]:
        cells = [key[0], str(key[1])]
        for rows in by_size:
            r = rows.get(key)
            if r is None:
                cells += ["", "", "", ""]
                continue
            cells += [
                f"{r['p50']:.0f} / {r['p95']:.0f} / {r['p99']:.0f}",
                f"{r['rps']:.1f}",
                f"{r['share'] * 100:.0f} %",
                f"{r['queries']} ({r.get('sql_ms_p50', 0):.0f} ms)"
                + (f", {r['errors']} non-200" if r["errors"] else ""),
            ]
        last = by_size[-1].get(key)
        if len(reports) == 2:
            first = by_size[0].get(key)
            ratio = first["share"] / last["share"] if first and last and last["share"] else float("nan")
            cells.append(f"{ratio:.2f}" + (" (> 1.5)" if ratio > 1.5 else ""))
            # The page's own throughput, whatever its reference did: the second reading of the target.
            own = first["rps"] / last["rps"] if first and last and last["rps"] else float("nan")
            cells.append(f"{own:.2f}" + (" (> 1.5)" if own > 1.5 else ""))
        cells.append(", ".join(last["misses"]) if last else "")
        print("| " + " | ".join(cells) + " |")
    print()
    for report in reports:
        print(f"slowest query per page at {report['rows']:,} (in-process, ms):")
        for page, q in report["slowest"].items():
            print(f"  {page:<32} {q['ms']:7.1f}  {q.get('sql', '')[:150]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="dossiers in all")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=300, help="requests per page and concurrency (at most)")
    parser.add_argument("--seconds", type=float, default=20, help="… or this long, whichever comes first")
    parser.add_argument("--rounds", type=int, default=3, help="the reference and the page in turn, this many times")
    parser.add_argument("--port", type=int, default=8351)
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--stats-days", type=int, default=30, help="days of statistics snapshots (before today)")
    parser.add_argument("--refill-focus", action="store_true", help="rebuild the focus agency's and applicant's rows")
    parser.add_argument("--only", nargs="*", default=[], help="page names to measure (the references always)")
    parser.add_argument("--fill-only", action="store_true", help="prepare the data, measure nothing")
    parser.add_argument("--table", action="store_true", help="print the saved results of 10,000 and 1,000,000")
    args = parser.parse_args()

    if not args.table:
        run(args)
        if args.fill_only:
            return 0
    saved = [RESULTS / f"pages-{rows}.json" for rows in (10_000, 1_000_000)]
    reports = [json.loads(path.read_text()) for path in saved if path.exists()]
    if reports:
        table(reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
