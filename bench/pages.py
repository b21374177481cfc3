"""Hot pages over HTTP: several gunicorn processes on PostgreSQL, a load generator on loopback.

    .venv/bin/python bench/pages.py                      # 10,000 dossiers (database dvc_bench_lookup_10000)
    .venv/bin/python bench/pages.py --rows 1000000       # the DESIGN §11 size (the fill takes a while)

The data is bench/lookup.py's (same databases, reused when already filled). gunicorn serves the portal
with bench_settings (the portal's settings plus two reference views): a bare view and a view making one
indexed query, in the same processes and the same run, so that each page's figure is read as a ratio to
them (absolute times are noisy on a shared machine). For each page of PAGES, at 1 and at 16 concurrent
users (aiohttp, keep-alive), it prints p50/p95/p99 and requests/s, and the throughput as a share of the
one-query view's. Pages are data: a page is one line of PAGES (name, address, whether it needs the
applicant's session). Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from common import create_postgres_database, environment

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent

# name, address ({code}: a random existing code; {own}: a dossier of the logged-in applicant), session
PAGES: list[tuple[str, str, bool]] = [
    ("bare view", "/__bench/bare/", False),
    ("one-query view", "/__bench/one-query/?pk={pk}", False),
    ("look-up", "/tra-cuu/?ma={code}", False),
    ("catalogue search", "/thu-tuc-hanh-chinh/?q=khai+sinh", False),
    ("catalogue home", "/thu-tuc-hanh-chinh/", False),
    ("citizen folders", "/ho-so/?thu-muc=da-gui", True),
    ("dossier page", "/ho-so/{own}/", True),
    ("statistics", "/thong-ke/", False),
]


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


async def load(base: str, template: str, values: dict, users: int, requests: int, cookie: str | None) -> dict:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    remaining = requests
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}

    async def user(session: aiohttp.ClientSession) -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            address = template.format(
                code=random.choice(values["codes"]), pk=random.choice(values["pks"]), own=random.choice(values["own"])
            )
            started = time.perf_counter()
            async with session.get(base + address, headers=headers, allow_redirects=False) as response:
                await response.read()
                if response.status != 200:
                    errors += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(session) for _ in range(users)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "p50": percentile(ordered, 0.5),
        "p95": percentile(ordered, 0.95),
        "p99": percentile(ordered, 0.99),
        "rps": len(ordered) / elapsed,
        "errors": errors,
    }


def prepare(rows: int) -> dict:
    sys.path.insert(0, str(BENCH_DIR))
    import lookup

    layout = lookup._prepare(rows, postgres=True)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from dichvucong.accounts.models import User
    from dichvucong.dossiers.models import Dossier

    # The applicant with the most dossiers; a session made directly (the bench users have no password).
    applicant = User.objects.get(username="bench00000")
    session = SessionStore()
    session[SESSION_KEY] = str(applicant.pk)
    from django.conf import settings

    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = applicant.get_session_auth_hash()
    session.create()
    own = list(Dossier.objects.filter(applicant=applicant).values_list("code", flat=True)[:50])
    sample = random.Random(1).sample(range(rows), 500)
    return {
        "codes": [layout.code(i) for i in sample],
        "pks": list(Dossier.objects.order_by("?").values_list("pk", flat=True)[:500]),
        "own": own,
        "owned": Dossier.objects.filter(applicant=applicant).count(),
        "cookie": session.session_key,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400, help="requests per page and concurrency")
    parser.add_argument("--port", type=int, default=8188)
    parser.add_argument("--only", nargs="*", default=[], help="page names to measure (the references always)")
    args = parser.parse_args()

    data_dir = Path("/tmp/dvc-bench-lookup")  # noqa: S108 - the lookup bench's folder
    data_dir.mkdir(exist_ok=True)
    name = f"dvc_bench_lookup_{args.rows}"
    create_postgres_database(name)
    env = environment(f"postgres://postgres@127.0.0.1:5432/{name}", data_dir)
    env.update({"LOOKUP_FREE_TRIES": "1000000000", "LOOKUP_MAX_PER_HOUR": "1000000000"})
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    values = prepare(args.rows)
    server_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench_settings", "PYTHONPATH": f"{BENCH_DIR}:{BASE_DIR}"}
    server = subprocess.Popen(  # noqa: S603 - our own server on loopback
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", str(args.workers),
         "-b", f"127.0.0.1:{args.port}", "--error-logfile", "-", "--log-level", "warning"],
        env=server_env, cwd=BASE_DIR,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    results = []
    try:
        import socket

        for _ in range(300):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", args.port)) == 0:
                    break
            time.sleep(0.2)
        for page, template, needs_session in PAGES:
            if args.only and page not in args.only and not page.endswith(" view"):
                continue
            cookie = values["cookie"] if needs_session else None
            asyncio.run(load(base, template, values, 4, 40, cookie))  # warm every process
            for users in (1, 16):
                results.append((page, users, asyncio.run(load(base, template, values, users, args.requests, cookie))))
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n{args.rows:,} dossiers on PostgreSQL, gunicorn -w {args.workers} (sync), {args.requests} requests a cell;"
    )
    print(f"the applicant's session owns {values['owned']} dossiers\n")
    reference = {users: r["rps"] for page, users, r in results if page == "one-query view"}
    header = ("page", "users", "p50 ms", "p95 ms", "p99 ms", "req/s", "/1-query", "non-200")
    print("{:<18} {:>5} {:>7} {:>7} {:>7} {:>6} {:>8} {:>7}".format(*header))
    for page, users, r in results:
        share = f"{r['rps'] / reference[users] * 100:.0f}%"
        cells = (page, users, f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['p99']:.1f}", f"{r['rps']:.0f}", share)
        print("{:<18} {:>5} {:>7} {:>7} {:>7} {:>6} {:>8} {:>7}".format(*cells, r["errors"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
