"""Hot pages in-process: SQL queries per page, time per request, and on request where the time goes.

    .venv/bin/python bench/profile_pages.py                           # PostgreSQL dvc_perf_10000, every page
    .venv/bin/python bench/profile_pages.py --rows 1000000            # dvc_perf_1000000
    .venv/bin/python bench/profile_pages.py --page look-up --page folders --requests 300
    .venv/bin/python bench/profile_pages.py --page "catalogue search" --profile   # pyinstrument tree
    .venv/bin/python bench/profile_pages.py --page queue --explain    # EXPLAIN ANALYZE of the slowest SQL

The data is bench/lookup.py's fill (`--rows` sent dossiers over 200 agencies and 1,000 applicants; a
table already at that size is reused), topped up here with bench/catalog.py's 6,000 procedures, one
applicant who owns 1,000 of the dossiers and one agency that holds 5,000 (with an officer who is both
at the one-stop desk and a specialist, so every queue has rows). Each page is requested through Django's
test client with the production middleware and settings (DEBUG off), after a warm-up; it prints p50 and
p95 over `--requests` requests and the largest number of SQL queries one request made. The two reference
views of bench/pages.py (a bare view and a one-indexed-query view) are measured the same way, so that a
page's cost can be read as a multiple of theirs. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import create_postgres_database, environment, percentiles

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
APPLICANT_DOSSIERS = 1_000
AGENCY_DOSSIERS = 5_000
PROCEDURES = 6_000
OFFICER = "bench.officer"

# name, address ({code}: a random dossier of the agency; {own}: one of the applicant's), who is logged in
PAGES: list[tuple[str, str, str | None]] = [
    ("bare view", "/__bench/bare/", None),
    ("one-query view", "/__bench/one-query/?pk={pk}", None),
    ("look-up", "/tra-cuu/?ma={code}", None),
    ("catalogue search", "/thu-tuc-hanh-chinh/?q={query}", None),
    ("catalogue home", "/thu-tuc-hanh-chinh/", None),
    ("procedure page", "/thu-tuc-hanh-chinh/{procedure}/", None),
    ("portal home", "/", None),
    ("folders da-gui", "/ho-so/?thu-muc=da-gui", "applicant"),
    ("folders dang-xu-ly", "/ho-so/?thu-muc=dang-xu-ly", "applicant"),
    ("citizen dossier", "/ho-so/{own}/", "applicant"),
    ("queue cho-tiep-nhan", "/mot-cua/?hang-doi=cho-tiep-nhan", "officer"),
    ("queue viec-cua-toi", "/mot-cua/?hang-doi=viec-cua-toi", "officer"),
    ("queue qua-han", "/mot-cua/?hang-doi=qua-han", "officer"),
    ("queue tat-ca", "/mot-cua/?hang-doi=tat-ca", "officer"),
    ("queue tat-ca p.50", "/mot-cua/?hang-doi=tat-ca&trang=50", "officer"),
    ("officer dossier", "/mot-cua/ho-so/{code}/", "officer"),
]
SEARCHES = ["khai sinh", "dang ky khai sinh", "Đăng ký kết hôn", "chung thuc ban sao", "giay phep xay dung", "thu tuc"]


def _top_up(rows: int) -> dict[str, list]:
    """Procedures, the applicant's 1,000 dossiers, the agency's 5,000 and its officer; idempotent."""
    from django.core.management import call_command
    from django.db import connection

    from dichvucong.accounts.constants import OfficerRole
    from dichvucong.accounts.models import OfficerProfile, OfficerRoleAssignment, User
    from dichvucong.agencies.models import Agency
    from dichvucong.catalog.models import Procedure
    from dichvucong.dossiers.models import Dossier

    missing = PROCEDURES - Procedure.objects.count()
    if missing > 0:
        started = time.perf_counter()
        call_command("catalog_generate", count=missing, seed=1, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"generated {missing:,} synthetic procedures in {time.perf_counter() - started:.1f} s")
    applicant, second = User.objects.filter(username__startswith="bench").order_by("pk")[:2]
    agency, other = Agency.objects.filter(code__endswith=".K46").order_by("code")[:2]
    with connection.cursor() as cursor:
        for column, owner, spare, wanted in (
            ("applicant_id", applicant.pk, second.pk, APPLICANT_DOSSIERS),
            ("agency_id", agency.pk, other.pk, AGENCY_DOSSIERS),
        ):
            wanted = min(wanted, rows)
            have = Dossier.objects.filter(**{column: owner}).count()
            if have < wanted:
                # The lowest ids not yet theirs: the same rows on every run at a given size.
                cursor.execute(
                    f"UPDATE dossiers_dossier SET {column} = %s WHERE id IN "  # noqa: S608 - our own column names
                    f"(SELECT id FROM dossiers_dossier WHERE {column} <> %s ORDER BY id LIMIT %s)",
                    [owner, owner, wanted - have],
                )
            # 200 agencies, 1,000 applicants and a 20-status cycle: at large sizes each of them holds
            # one status only. Swap half of the rows with the lowest rows of the others, so that
            # every folder and every queue has dossiers.
            if Dossier.objects.filter(**{column: owner}).values("status").distinct().count() < 5:
                cursor.execute(
                    f"UPDATE dossiers_dossier SET {column} = CASE WHEN {column} = %s THEN %s ELSE %s END "  # noqa: S608
                    f"WHERE id IN (SELECT id FROM dossiers_dossier WHERE {column} = %s ORDER BY id LIMIT %s) "
                    f"OR id IN (SELECT id FROM dossiers_dossier WHERE {column} <> %s ORDER BY id LIMIT %s)",
                    [owner, spare, owner, owner, wanted // 2, owner, wanted // 2],
                )
    # As autovacuum would have: the planner's statistics, and the visibility map index-only scans need.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    officer, created = User.objects.get_or_create(
        username=OFFICER, defaults={"full_name": "Cán bộ thử tải", "kind": "officer", "password": "!"}
    )
    if created:
        profile = OfficerProfile.objects.create(user=officer, agency=agency)
        OfficerRoleAssignment.objects.bulk_create(
            OfficerRoleAssignment(profile=profile, role=role) for role in (OfficerRole.ONE_STOP, OfficerRole.SPECIALIST)
        )
    rng = random.Random(11)
    own = list(Dossier.objects.filter(applicant=applicant).values_list("code", flat=True)[:200])
    agency_codes = list(Dossier.objects.filter(agency=agency).values_list("code", flat=True)[:200])
    procedures = list(Procedure.objects.exclude(current_version=None).values_list("code", flat=True))
    return {
        "applicant": [applicant],
        "officer": [officer],
        "own": own,
        "code": agency_codes,
        "pk": [rng.randrange(1, rows) for _ in range(200)],
        "procedure": rng.sample(procedures, min(200, len(procedures))),
        "query": SEARCHES,
    }


def _clients(values: dict[str, list]) -> dict[str | None, object]:
    from django.test import Client

    from dichvucong.core.testing.personas import force_login_verified

    anonymous, applicant, officer = Client(), Client(), Client()
    applicant.force_login(values["applicant"][0])
    force_login_verified(officer, values["officer"][0])
    return {None: anonymous, "applicant": applicant, "officer": officer}


def _addresses(template: str, values: dict[str, list], count: int) -> list[str]:
    rng = random.Random(5)
    keys = [key for key in ("code", "own", "pk", "procedure", "query") if "{" + key + "}" in template]
    return [template.format(**{key: rng.choice(values[key]) for key in keys}) for _ in range(count)]


def _measure(client: object, urls: list[str], remote: Callable[[], str]) -> tuple[float, float, float, int, list[dict]]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    samples: list[float] = []
    cpu: list[float] = []
    queries, heaviest = 0, []
    for url in urls:
        # The log of executed queries keeps 9,000 entries and is not emptied between the test
        # client's requests here: past that, every page would count 0 queries.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, REMOTE_ADDR=remote())
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if len(captured.captured_queries) >= queries:
            queries, heaviest = len(captured.captured_queries), captured.captured_queries
    return *percentiles(samples), percentiles(cpu)[0], queries, heaviest


def _explain(captured: list[dict], top: int) -> None:
    from django.db import connection

    selects = [q for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    for query in sorted(selects, key=lambda q: float(q["time"]), reverse=True)[:top]:
        print(f"\n  -- {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print("     " + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="sent dossiers (bench/lookup.py's fill)")
    parser.add_argument("--database", help="PostgreSQL database (default dvc_perf_<rows>)")
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    parser.add_argument("--page", action="append", default=[], help="only pages whose name contains this (repeatable)")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of each page")
    parser.add_argument(
        "--explain", type=int, nargs="?", const=3, default=0, help="EXPLAIN ANALYZE the N slowest SELECTs"
    )
    parser.add_argument("--redis", action="store_true", help="keep the cache in Redis 127.0.0.1:6379")
    parser.add_argument("--redis-db", type=int, default=8, help="the Redis database number with --redis")
    args = parser.parse_args()

    database = args.database or f"dvc_perf_{args.rows}"
    create_postgres_database(database)
    data_dir = Path(tempfile.gettempdir()) / "dvc-bench-profile"
    data_dir.mkdir(exist_ok=True)
    os.environ.update(environment(f"postgres://postgres@127.0.0.1:5432/{database}", data_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"  # the portal plus the two reference views
    os.environ["OFFICER_2FA_REQUIRED"] = "1"
    if args.redis:
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    sys.path[:0] = [str(BENCH_DIR), str(BASE_DIR)]

    from lookup import _prepare

    _prepare(args.rows, postgres=True)
    values = _top_up(args.rows)
    clients = _clients(values)
    run = random.SystemRandom().getrandbits(32)
    counter = iter(range(1, 10**9))

    def remote() -> str:
        # A new address per request, as bench/lookup.py does: the look-up's hourly counter stays in
        # the path without any address reaching the captcha.
        n = next(counter)
        return f"fd00::{run >> 16:x}:{run & 0xFFFF:x}:{n >> 16:x}:{n & 0xFFFF:x}"

    pages = [page for page in PAGES if not args.page or any(word in page[0] for word in args.page)]
    cache = "Redis" if args.redis else "the database"
    print(f"\n{args.rows:,} dossiers on PostgreSQL ({database}), cache in {cache}; {args.requests} requests a page\n")
    # CPU: this process's time only (Python, templates, the driver), the part a loaded machine
    # distorts least; the database's own time is in the wall-clock figures.
    print(f"{'page':<22} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'SQL/page':>9}")
    for name, template, who in pages:
        client = clients[who]
        urls = _addresses(template, values, args.requests)
        _measure(client, urls[:5], remote)  # warm-up: templates, connections, caches
        p50, p95, cpu, queries, heaviest = _measure(client, urls, remote)
        print(f"{name:<22} {p50:8.1f} {p95:8.1f} {cpu:8.1f} {queries:9d}", flush=True)
        if args.explain:
            _explain(heaviest, args.explain)
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for url in urls[:50]:
                    client.get(url, REMOTE_ADDR=remote())
            print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
