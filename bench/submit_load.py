"""Load without loss: N citizens send a dossier with two attachments at the same moment, over HTTP.

    .venv/bin/python bench/submit_load.py                        # embedded SQLite default, 20 submitters
    .venv/bin/python bench/submit_load.py --postgres --users 50  # PostgreSQL 127.0.0.1:5432, dvc_bench_submit

It builds a fresh database (a SQLite file in a temporary DATA_DIR, or the PostgreSQL database
dvc_bench_submit, dropped and recreated), seeds agency A's "Đăng ký khai sinh" and N citizens, starts
real gunicorn processes (--workers, sync) on 127.0.0.1:--port with the production settings (DEBUG=0,
captcha in test mode so a script can answer it), then every citizen, each on its own connection:
logs in, posts the form with the declaration and a PDF and a JPEG ("Gửi đi", the path without
JavaScript), and sends it from the review page. All submitters wait on one barrier before each step so
the writes collide. Then it checks, in the database: N sent dossiers, N distinct codes, 2N files, and
over HTTP: no answer >= 500. It exits 1 on any loss, duplicate or server error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import csrf_of, environment, gunicorn_command, percentiles, wait_for_port

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "dvc_bench_submit"
PROCEDURE = "1.001193"


def seed(users: int, out: Path) -> None:
    """Runs inside the bench's environment (a subprocess): the procedure, the citizens, the form data."""
    import django

    sys.path.insert(0, str(BASE_DIR))
    django.setup()
    from django.contrib.auth.hashers import make_password

    from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
    from dichvucong.catalog.tests.factories import make_procedure
    from dichvucong.catalog.tests.test_eforms import khai_sinh_data
    from dichvucong.core.testing.dossier_fixtures import EFORMS
    from dichvucong.core.testing.personas import make_personas
    from dichvucong.dossiers.tests import samples

    personas = make_personas()
    procedure = make_procedure(
        PROCEDURE,
        "Đăng ký khai sinh",
        agencies=[personas.agency_a.code],
        components=[
            {"name": "Giấy chứng sinh", "required": True, "document_type": "giay_chung_sinh"},
            {"name": "Giấy tờ tùy thân của người yêu cầu", "required": True, "document_type": "cccd"},
            {"name": "Văn bản ủy quyền", "required": False},
        ],
        eform=json.loads((EFORMS / "dang_ky_khai_sinh.json").read_text(encoding="utf-8")),
    )
    password = make_password(DEFAULT_PASSWORD)
    names = []
    for number in range(users):
        user = UserFactory(username=f"nop.{number:03d}", password=None)
        user.password = password
        user.save(update_fields=["password"])
        names.append(user.username)
    first, second, _optional = procedure.current_version.components.all()
    (out / "a.pdf").write_bytes(samples.pdf_bytes())
    (out / "a.jpg").write_bytes(samples.jpeg_bytes())
    form = {
        "chu-owner_name": "Nguyễn Văn An",
        "chu-owner_national_id": "046090001234",
        "chu-owner_phone": "0912345678",
        "chu-owner_email": "an@example.vn",
        "chu-province_code": "46",
        "chu-ward_code": "",
        "chu-street_address": "12 Lê Lợi",
        "nhan-result_delivery": "at_desk",
        **khai_sinh_data(),
        "action": "gui",
    }
    (out / "seed.json").write_text(
        json.dumps({"users": names, "password": DEFAULT_PASSWORD, "files": [first.pk, second.pk], "form": form}),
        encoding="utf-8",
    )


class Run:
    def __init__(self, base: str, seed: dict, folder: Path, users: int) -> None:
        self.base = base
        self.seed = seed
        self.folder = folder
        self.barrier = asyncio.Barrier(users)
        self.statuses: list[int] = []
        self.codes: list[str] = []
        self.failures: list[str] = []
        self.send_times: list[float] = []

    async def request(self, session, method: str, path: str, **kwargs):
        async with session.request(method, self.base + path, allow_redirects=False, **kwargs) as response:
            self.statuses.append(response.status)
            return response.status, response.headers.get("Location", ""), await response.text()

    async def citizen(self, username: str) -> None:
        import aiohttp

        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=120)) as session:
            try:
                _s, _l, page = await self.request(session, "GET", "/tai-khoan/dang-nhap/")
                await self.barrier.wait()
                status, _l, _t = await self.request(
                    session,
                    "POST",
                    "/tai-khoan/dang-nhap/",
                    data={
                        "csrfmiddlewaretoken": csrf_of(page),
                        "identifier": username,
                        "password": self.seed["password"],
                    },
                )
                if status != 302:
                    raise RuntimeError(f"login {status}")
                _s, _l, page = await self.request(session, "GET", f"/ho-so/nop-ho-so/{PROCEDURE}/")
                form = aiohttp.FormData()
                form.add_field("csrfmiddlewaretoken", csrf_of(page))
                for key, value in self.seed["form"].items():
                    form.add_field(key, value)
                pdf, jpeg = self.seed["files"]
                form.add_field(
                    f"tep-{pdf}",
                    (self.folder / "a.pdf").read_bytes(),
                    filename="chung-sinh.pdf",
                    content_type="application/pdf",
                )
                form.add_field(
                    f"tep-{jpeg}", (self.folder / "a.jpg").read_bytes(), filename="cccd.jpg", content_type="image/jpeg"
                )
                await self.barrier.wait()
                status, location, text = await self.request(
                    session, "POST", f"/ho-so/nop-ho-so/{PROCEDURE}/", data=form
                )
                if status != 302 or "/xem-lai/" not in location:
                    raise RuntimeError(f"form {status} {location} {text[:200]!r}")
                _s, _l, page = await self.request(session, "GET", location)
                version = re.search(r'name="version" value="(\d+)"', page)
                await self.barrier.wait()
                started = time.perf_counter()
                status, location, text = await self.request(
                    session,
                    "POST",
                    location,
                    data={
                        "csrfmiddlewaretoken": csrf_of(page),
                        "version": version.group(1) if version else "",
                        "pledge": "on",
                        "captcha_0": "x",
                        "captcha_1": "PASSED",
                    },
                )
                self.send_times.append(time.perf_counter() - started)
                found = re.search(r"/ho-so/([^/]+)/thanh-cong/", location)
                if status != 302 or not found:
                    raise RuntimeError(f"send {status} {location} {text[:200]!r}")
                self.codes.append(found.group(1))
            except Exception as exc:
                self.failures.append(f"{username}: {exc!r}")
                await self.barrier.abort()  # the others must not wait for this one forever


async def drive(base: str, seed: dict, folder: Path) -> Run:
    run = Run(base, seed, folder, len(seed["users"]))
    await asyncio.gather(*(run.citizen(name) for name in seed["users"]))
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8185)
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.users, args.seed)
        return 0

    folder = Path(tempfile.mkdtemp(prefix="dvc-submit-"))
    if args.postgres:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        url = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    else:
        url = f"sqlite:///{folder / 'dichvucong.sqlite3'}"
    env = {**os.environ, **environment(url, folder), "CAPTCHA_TEST_MODE": "1", "PYTHONPATH": str(BASE_DIR)}
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    # S603: our own interpreter and manage.py, never outside input.
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=BASE_DIR)  # noqa: S603
    subprocess.run([*manage, "createcachetable"], env=env, check=True, cwd=BASE_DIR)  # noqa: S603
    subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--users", str(args.users), "--seed", str(folder)], env=env, check=True, cwd=BASE_DIR
    )
    seed_data = json.loads((folder / "seed.json").read_text(encoding="utf-8"))
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        gunicorn_command(port=args.port, workers=args.workers),
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(args.port, timeout=60, process=server)
        started = time.perf_counter()
        run = asyncio.run(drive(f"http://127.0.0.1:{args.port}", seed_data, folder))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    check = (
        "from dichvucong.dossiers.models import Dossier, DossierFile;"
        "sent = Dossier.objects.exclude(status='draft');"
        "import json; print(json.dumps({'dossiers': Dossier.objects.count(), 'sent': sent.count(),"
        " 'codes': sent.values('code').distinct().count(), 'files': DossierFile.objects.count()}))"
    )
    shell = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", check], env=env, check=True, cwd=BASE_DIR, capture_output=True, text=True
    )
    counted = json.loads(shell.stdout.strip().splitlines()[-1])
    errors = [s for s in run.statuses if s >= 500]
    server_log = (folder / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    locked = server_log.count("database is locked")
    p50, p95 = percentiles(run.send_times) if run.send_times else (0.0, 0.0)
    users = len(seed_data["users"])
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite (WAL, BEGIN IMMEDIATE)'}, gunicorn -w {args.workers}")
    print(f"submitters: {users}, wall time {elapsed:.1f} s, requests {len(run.statuses)}")
    print(f"sent (answers): {len(run.codes)}, distinct codes: {len(set(run.codes))}, failures: {len(run.failures)}")
    print(f"in the database: {counted}")
    print(f"answers >= 500: {len(errors)}, 'database is locked' in the server log: {locked}")
    print(f"sending (review POST) p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    for failure in run.failures[:10]:
        print("  failure:", failure)
    ok = (
        not run.failures
        and not errors
        and not locked
        and len(set(run.codes)) == users
        and counted["sent"] == counted["codes"] == users
        and counted["files"] == 2 * users
    )
    if ok:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"kept for inspection: {folder}")
    print("OK: 0 lost, 0 duplicate codes, 0 server errors" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
