"""Public look-up benchmark: /tra-cuu/?ma=CODE over 10,000 or 1,000,000 dossiers.

    .venv/bin/python bench/lookup.py                                # SQLite file under /tmp, 10,000 dossiers
    .venv/bin/python bench/lookup.py --postgres                     # PostgreSQL 127.0.0.1:5432, dvc_bench_lookup_10000
    .venv/bin/python bench/lookup.py --postgres --rows 1000000      # the DESIGN §11 target size
    .venv/bin/python bench/lookup.py --postgres --redis             # the hourly counter in Redis, as in production

It builds its own database per size (never the development one, nor the catalogue bench's), loads
the demo agencies and catalogue, adds synthetic agencies and applicants, and fills the dossier table
with `--rows` sent dossiers with realistic codes `{agency}-{YYMMDD}-{NNNN}` spread over agencies and
two years of days (INSERT … SELECT generate_series on PostgreSQL, executemany batches on SQLite).
A table that already holds exactly `--rows` dossiers is reused. Then it times, in-process through
Django's test client, look-ups of random existing codes, of unknown codes, and of codes with the
owner's CCCD (posted), each from its own client address so the hourly counter stays in the path
without the captcha, and counts the SQL queries per look-up. The counter lives in Django's cache: the
database cache table by default (a read and a committed write per look-up), Redis with `--redis`.
Figures only: nothing is asserted (tests never assert timings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from common import create_postgres_database, environment, percentiles

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "dvc_bench_lookup"
SYNTHETIC_AGENCIES = 200
APPLICANTS = 1000
DAYS = 730  # two years of codes
FIRST_DAY = dt.date(2024, 1, 1)
UNKNOWN_SEQUENCE = 9000  # no day of any agency reaches it at these sizes: such codes are never found

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Em", "Giang", "Hà", "Hải", "Hòa", "Hùng", "Khánh", "Lan", "Linh"]
GIVEN += ["Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Thảo", "Trang", "Tuấn"]
# Out of 20 dossiers: where each stands (a portal's mix: most in processing or returned).
STATUS_CYCLE = (
    ["submitted"] * 2
    + ["processing"] * 8
    + ["supplement_requested", "payment_requested", "result_ready"]
    + ["returned"] * 5
    + ["refused", "withdrawn"]
)


# --- The dossier of row i: one formula, used by the SQL fill and by the sampler --------------------
class Layout:
    """Row i belongs to agency i % A, day (i // A) % DAYS, and is that day's (i // (A × DAYS) + 1)-th."""

    def __init__(self, agency_codes: list[str]) -> None:
        self.agency_codes = agency_codes
        self.agencies = len(agency_codes)

    def code(self, i: int, *, sequence: int | None = None) -> str:
        agency, day, seq = i % self.agencies, (i // self.agencies) % DAYS, i // (self.agencies * DAYS) + 1
        return f"{self.agency_codes[agency]}-{FIRST_DAY + dt.timedelta(days=day):%y%m%d}-{sequence or seq:04d}"

    @staticmethod
    def national_id(i: int) -> str:
        return f"{(i * 7919 + 1_000_003) % 10**12:012d}"


def _prepare_reference_data(procedures: int = 0) -> tuple[list[int], list[str], list[int], list[int]]:
    from django.core.management import call_command

    from dichvucong.accounts.models import User
    from dichvucong.agencies import demo as agencies_demo
    from dichvucong.agencies.constants import AgencyKind
    from dichvucong.agencies.models import Agency
    from dichvucong.catalog import demo as catalog_demo
    from dichvucong.catalog.models import Procedure

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    sink = open(os.devnull, "w")  # noqa: SIM115 - the loaders' reports are not wanted here
    agencies_demo.load(sink)
    catalog_demo.load(sink)
    if procedures:
        import catalog  # the catalogue bench's generator, so both benches search the same catalogue

        catalog.top_up(procedures)
    Agency.objects.bulk_create(
        [
            Agency(
                code=f"000.{80 + i // 100:02d}.{i % 100:02d}.K46",
                name=f"Cơ quan thử tải {i}",
                kind=AgencyKind.DEPARTMENT,
            )
            for i in range(SYNTHETIC_AGENCIES)
        ],
        ignore_conflicts=True,
    )
    User.objects.bulk_create(
        [User(username=f"bench{i:05d}", full_name=f"Người nộp {i}", password="!") for i in range(APPLICANTS)],  # noqa: S106 - unusable
        ignore_conflicts=True,
    )
    # Only the bench's own agencies: the demo ones may change between runs, which would move every code.
    agencies = list(Agency.objects.filter(code__endswith=".K46").order_by("code").values_list("pk", "code"))
    versions = list(Procedure.objects.exclude(current_version=None).values_list("current_version_id", flat=True))
    users = list(User.objects.filter(username__startswith="bench").order_by("pk").values_list("pk", flat=True))
    return [pk for pk, _c in agencies], [c for _pk, c in agencies], sorted(versions), users


def _other_columns() -> list[tuple[str, object, str]]:
    """Every other column with the model's default (and its SQL type), so a column added later needs no change here."""
    from django.db import connection, models

    from dichvucong.dossiers.models import Dossier

    columns = []
    for field in Dossier._meta.concrete_fields:
        if field.primary_key or field.column in _CHOSEN:
            continue
        default = field.get_default()
        if isinstance(field, models.JSONField):
            default = json.dumps(default if default is not None else {})
        columns.append((field.column, default, field.cast_db_type(connection)))
    return columns


_CHOSEN = [
    "procedure_version_id",
    "agency_id",
    "applicant_id",
    "owner_name",
    "owner_national_id",
    "status",
    "code",
    "created_at",
    "updated_at",
    "submitted_at",
    "received_at",
    "appointment_at",
    "returned_at",
]


def _fill_postgres(rows: int, agencies: list[int], codes: list[str], versions: list[int], users: list[int]) -> None:
    from django.db import connection

    others = _other_columns()
    a, cycle = len(agencies), len(STATUS_CYCLE)
    # i → agency a, day d, sequence s; times in Asia/Ho_Chi_Minh office hours. Only numbers and our
    # own column types are formatted into the text; every value is a parameter.
    select = f"""
        SELECT
            (%(versions)s::bigint[])[1 + i %% {len(versions)}],
            (%(agencies)s::bigint[])[1 + i %% {a}],
            (%(users)s::bigint[])[1 + i %% {len(users)}],
            (%(family)s::text[])[1 + i %% {len(FAMILY)}] || ' ' || (%(middle)s::text[])[1 + i / 7 %% {len(MIDDLE)}]
                || ' ' || (%(given)s::text[])[1 + i / 11 %% {len(GIVEN)}],
            lpad(((i * 7919 + 1000003) %% 1000000000000)::text, 12, '0'),
            (%(statuses)s::text[])[1 + i %% {cycle}],
            (%(codes)s::text[])[1 + i %% {a}] || '-' || to_char(day, 'YYMMDD') || '-'
                || lpad((i / {a * DAYS} + 1)::text, 4, '0'),
            sent, sent, sent,
            CASE WHEN i %% {cycle} BETWEEN 2 AND 17 THEN sent + interval '3 hours' END,
            CASE WHEN i %% {cycle} BETWEEN 2 AND 17 THEN sent + interval '10 days' END,
            CASE WHEN i %% {cycle} BETWEEN 13 AND 17 THEN sent + interval '9 days' END
            {"".join(f", %(d{n})s::{sql_type}" for n, (_c, _d, sql_type) in enumerate(others))}
        FROM (
            SELECT i, day,
                (day + time '07:30' + (i %% 540) * interval '1 minute') AT TIME ZONE 'Asia/Ho_Chi_Minh' AS sent
            FROM (
                SELECT i, %(first_day)s::date + ((i / {a}) %% {DAYS})::int AS day
                FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS i
            ) numbered
        ) dated
    """  # noqa: S608
    columns = ", ".join([*_CHOSEN, *(column for column, _d, _t in others)])
    base = {
        "versions": versions,
        "agencies": agencies,
        "users": users,
        "codes": codes,
        "family": FAMILY,
        "middle": MIDDLE,
        "given": GIVEN,
        "statuses": STATUS_CYCLE,
        "first_day": FIRST_DAY,
        **{f"d{n}": default for n, (_c, default, _t) in enumerate(others)},
    }
    chunk = 100_000
    with connection.cursor() as cursor:
        for start in range(0, rows, chunk):
            stop = min(rows, start + chunk) - 1
            cursor.execute(
                f"INSERT INTO dossiers_dossier ({columns}) {select}",
                {**base, "start": start, "stop": stop},
            )
            print(f"  {stop + 1:>9,} rows", flush=True)
        cursor.execute("ANALYZE dossiers_dossier")


def _fill_sqlite(rows: int, agencies: list[int], codes: list[str], versions: list[int], users: list[int]) -> None:
    from zoneinfo import ZoneInfo

    from django.db import connection, transaction

    layout = Layout(codes)
    others = _other_columns()
    columns = [*_CHOSEN, *(column for column, _d, _t in others)]
    sql = f"INSERT INTO dossiers_dossier ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    local = ZoneInfo("Asia/Ho_Chi_Minh")

    def stamp(moment: dt.datetime) -> str:
        # How Django stores an aware datetime in SQLite: UTC, without the offset.
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    cycle = len(STATUS_CYCLE)

    def row(i: int) -> tuple:
        day = FIRST_DAY + dt.timedelta(days=(i // len(agencies)) % DAYS)
        sent = dt.datetime.combine(day, dt.time(7, 30), tzinfo=local) + dt.timedelta(minutes=i % 540)
        step = i % cycle
        name = f"{FAMILY[i % len(FAMILY)]} {MIDDLE[i // 7 % len(MIDDLE)]} {GIVEN[i // 11 % len(GIVEN)]}"
        return (
            versions[i % len(versions)],
            agencies[i % len(agencies)],
            users[i % len(users)],
            name,
            layout.national_id(i),
            STATUS_CYCLE[step],
            layout.code(i),
            stamp(sent),
            stamp(sent),
            stamp(sent),
            stamp(sent + dt.timedelta(hours=3)) if 2 <= step < 18 else None,
            stamp(sent + dt.timedelta(days=10)) if 2 <= step < 18 else None,
            stamp(sent + dt.timedelta(days=9)) if 13 <= step <= 17 else None,
            *(default for _c, default, _t in others),
        )

    batch = 20_000
    with connection.cursor() as cursor:
        for start in range(0, rows, batch):
            with transaction.atomic():
                cursor.executemany(sql, [row(i) for i in range(start, min(rows, start + batch))])
            print(f"  {min(rows, start + batch):>9,} rows", flush=True)
        cursor.execute("ANALYZE")


def _prepare(rows: int, *, postgres: bool, procedures: int = 0) -> Layout:
    """`rows` dossiers over the synthetic agencies (a table holding exactly those is reused).

    Other dossiers may sit beside them (bench/pages.py adds its own agency's): only these agencies'
    are counted, and a refill empties the whole table, so whoever added the others adds them again.
    """
    import django

    django.setup()
    from django.db import connection

    from dichvucong.dossiers.models import Dossier

    agencies, codes, versions, users = _prepare_reference_data(procedures)
    layout = Layout(codes)
    present = Dossier.objects.filter(agency_id__in=agencies).count()
    if present == rows and Dossier.objects.filter(code=layout.code(rows - 1)).exists():
        print(f"reusing the {rows:,} dossiers already in the bench database")
        return layout
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("TRUNCATE dossiers_dossier RESTART IDENTITY CASCADE")
        else:
            cursor.execute("DELETE FROM dossiers_dossier")
    print(f"filling {rows:,} dossiers ({len(codes)} agencies, {DAYS} days, {len(versions)} procedures)")
    started = time.perf_counter()
    (_fill_postgres if postgres else _fill_sqlite)(rows, agencies, codes, versions, users)
    print(f"filled in {time.perf_counter() - started:.1f} s")
    return layout


def _explain(code: str) -> str:
    from django.db import connection

    from dichvucong.dossiers.lookup import _LOOKUP_FIELDS
    from dichvucong.dossiers.models import Dossier

    queryset = (
        Dossier.objects.filter(code=code)
        .exclude(status="draft")
        .select_related("procedure_version__procedure", "agency")
        .only(*_LOOKUP_FIELDS)
        .order_by()[:1]
    )
    if connection.vendor == "postgresql":
        return queryset.explain(analyze=True)
    return queryset.explain()


def _measure(layout: Layout, rows: int, found: int, unknown: int) -> list[tuple[str, int, float, float, int, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(7)
    client = Client()
    address = iter(range(1, 10**7))
    run = random.SystemRandom().getrandbits(32)

    def remote() -> str:
        # Each look-up from its own address, new in every run: the hourly counter is read and
        # written as for a real visitor, and no address reaches the captcha, even when runs repeat
        # within the hour.
        n = next(address)
        return f"fd00::{run >> 16:x}:{run & 0xFFFF:x}:{n >> 16:x}:{n & 0xFFFF:x}"

    kinds = {
        "code": [("get", layout.code(rng.randrange(rows)), None) for _ in range(found)],
        "unknown code": [
            ("get", layout.code(rng.randrange(rows), sequence=UNKNOWN_SEQUENCE + k), None) for k in range(unknown)
        ],
        "code + CCCD": [("post", layout.code(i), layout.national_id(i)) for i in rng.sample(range(rows), unknown)],
    }
    for _method, code, _n in kinds["code"][:5]:  # warm-up: templates, connections
        client.get("/tra-cuu/", {"ma": code}, REMOTE_ADDR=remote())
    results = []
    for name, requests in kinds.items():
        samples, queries, dossier_queries = [], 0, 0
        for method, code, national_id in requests:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if method == "get":
                    response = client.get("/tra-cuu/", {"ma": code}, REMOTE_ADDR=remote())
                else:
                    response = client.post("/tra-cuu/", {"ma": code, "cccd": national_id}, REMOTE_ADDR=remote())
                samples.append(time.perf_counter() - started)
            html = response.content.decode()
            expected = "Không tìm thấy hồ sơ" if name == "unknown code" else "Kết quả tra cứu"
            if response.status_code != 200 or expected not in html:
                raise SystemExit(f"{name} {code}: answered {response.status_code} without “{expected}”")
            queries = max(queries, len(captured.captured_queries))
            touching = [q for q in captured.captured_queries if "dossiers_dossier" in q["sql"]]
            dossier_queries = max(dossier_queries, len(touching))
        results.append((name, len(requests), *percentiles(samples), queries, dossier_queries))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="sent dossiers in the table")
    parser.add_argument("--found", type=int, default=200, help="look-ups of random existing codes")
    parser.add_argument("--unknown", type=int, default=50, help="look-ups of unknown codes (and of code + CCCD)")
    parser.add_argument("--postgres", action="store_true", help=f"use PostgreSQL (database {DATABASE}_<rows>)")
    parser.add_argument("--redis", action="store_true", help="keep the cache in Redis 127.0.0.1:6379, database 14")
    parser.add_argument("--database", help=f"PostgreSQL database name (default {DATABASE}_<rows>)")
    args = parser.parse_args()

    data_dir = Path(tempfile.gettempdir()) / "dvc-bench-lookup"
    data_dir.mkdir(exist_ok=True)
    # One database per size, so that runs at 10,000 and 1,000,000 can alternate without refilling.
    if args.postgres:
        name = args.database or f"{DATABASE}_{args.rows}"
        create_postgres_database(name)
        database_url = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        database_url = f"sqlite:///{data_dir / f'bench-{args.rows}.sqlite3'}"
    os.environ.update(environment(database_url, data_dir))
    if args.redis:
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/14"
    sys.path.insert(0, str(BASE_DIR))
    layout = _prepare(args.rows, postgres=args.postgres)

    engine = "PostgreSQL" if args.postgres else "SQLite"
    cache = "Redis" if args.redis else "the database"
    print(f"\nlook-up: {args.rows:,} dossiers on {engine}, cache in {cache}; in-process (Django test client)\n")
    print("plan of the look-up query:")
    print("  " + _explain(layout.code(args.rows // 2)).replace("\n", "\n  ") + "\n")
    print(f"{'look-up':<13} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'SQL/page':>9} {'dossier SQL':>12}")
    for name, count, p50, p95, queries, dossier_queries in _measure(layout, args.rows, args.found, args.unknown):
        print(f"{name:<13} {count:>4} {p50:8.1f} {p95:8.1f} {queries:9d} {dossier_queries:12d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
