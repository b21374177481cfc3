"""The production recipe, run end to end on this machine (one command; PostgreSQL and Redis must be up):

    .venv/bin/python scripts/production_drill.py [--database h_prod_recipe] [--restore-database h_prod]
        [--redis-db 6] [--port-base 8341] [--workers 2] [--keep]

What it starts, each as its own process, with production settings (DEBUG=0, a SECRET_KEY from the
environment (a random one per run unless SECRET_KEY is set), ALLOWED_HOSTS, HTTPS-only cookies,
TRUST_X_FORWARDED_PROTO=1, REDIS_URL for the cache and huey, S3_* for the uploaded files):
  moto's S3 server (port base+3) with a fresh bucket; a fresh PostgreSQL database, migrated, with the
  cache table, the collected static files (manifest) and the demo data; gunicorn A (base+1) and
  gunicorn B (base+2) on that database; scripts/reverse_proxy.py on https://127.0.0.1:base (a
  self-signed certificate made for the run), round-robin over A and B; `manage.py run_huey` on Redis;
  and, in this process, an SMTP server (aiosmtpd, base+4) that keeps what the portal sends.

Then, through the proxy (a request can be pinned to A or B with the drill proxy's X-Drill-Upstream
header, and every answer says which one served it): the demo citizen logs in on A, fills in
"Đăng ký khai sinh" with a PDF and a 3.4 MB JPEG and sends it from the review page (answering the real
captcha from the database, as its image shows it); on B the dossier page lists the files and each
download streams back bytes with the same SHA-256; every file is an object in the bucket (boto3
head_object, same size) and nothing is under MEDIA_ROOT; the worker e-mails "Hồ sơ đã được gửi" to
the SMTP server; the one-stop officer logs in on B with password and TOTP code, finds the dossier in
the queue, downloads a file, receives the dossier, and the worker e-mails "đã được tiếp nhận". Then,
under the same settings: integrity_verify, scripts/integrity.py, audit_verify, archive_export and
archive_verify (all reading the files from S3), backup.sh, and restore.sh into a second fresh database
(--restore-database), whose integrity check finds every file in the bucket. Each step prints its
time; the first failure stops the drill and it exits 1 (logs kept in the work folder).
tests/test_production_drill.py runs the same walk on the test database (no migrate, no demo).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import html
import ipaddress
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from common import wait_for_port  # noqa: E402  (bench/common.py: the helpers submit_load.py uses too)

BUCKET = "dichvucong-drill"
S3_KEYS = {"S3_ACCESS_KEY_ID": "drill", "S3_SECRET_ACCESS_KEY": "drill-secret", "S3_REGION": "us-east-1"}


class DrillError(Exception):
    pass


# --- What runs where ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    proxy: int
    a: int
    b: int
    s3: int
    smtp: int

    @classmethod
    def from_base(cls, base: int) -> Ports:
        return cls(proxy=base, a=base + 1, b=base + 2, s3=base + 3, smtp=base + 4)


@dataclass(frozen=True)
class Cast:
    """Who plays the walk: a citizen, the one-stop officer who receives, the procedure and its agency."""

    citizen: str
    officer: str
    password: str
    procedure: str
    agency_hint: str  # a word of the receiving agency's name in the form's agency list


DEMO_CAST = Cast(
    citizen="046090001234",
    officer="motcua.thuanhoa",
    password="DemoDVC@2026",  # noqa: S106 - the demo's published password
    procedure="1.001193",
    agency_hint="Thuận Hóa",
)


def recipe_environment(
    *, database_url: str, redis_url: str, ports: Ports, work: Path, static_manifest: bool = True
) -> dict[str, str]:
    """The environment of every portal process: what an operator puts in the service files."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),  # a new home each run: nothing a previous run left in ~ can hide a problem
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "READ_DOTENV": "0",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUST_X_FORWARDED_PROTO": "1",
        "PORTAL_BASE_URL": f"https://127.0.0.1:{ports.proxy}",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HUEY_NAME": "dichvucong-drill",
        "HUEY_IMMEDIATE": "0",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{ports.s3}",
        **S3_KEYS,
        "DATA_DIR": str(work / "data"),
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "STATIC_MANIFEST": "1" if static_manifest else "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(ports.smtp),
        "LOG_LEVEL": "WARNING",
    }


class Services:
    """The drill's processes, each with its log in the work folder; stopped in reverse order."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.running: list[tuple[str, subprocess.Popen[bytes], Any]] = []
        self.ports: dict[int, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str], *, port: int | None = None) -> None:
        """Starts without waiting (several processes boot faster side by side); ready() waits."""
        log = (self.work / f"{name}.log").open("wb")
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        self.running.append((name, process, log))
        if port is not None:
            self.ports[port] = process

    def ready(self, timeout: float = 120) -> None:
        for port, process in self.ports.items():
            wait_for_port(port, timeout=timeout, process=process)

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for _name, process, _log in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        for _name, process, log in reversed(self.running):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        self.running.clear()


def tls_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the proxy terminates TLS like the real one does."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "proxy.crt", folder / "proxy.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def s3_client(ports: Ports) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{ports.s3}",
        aws_access_key_id=S3_KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["S3_SECRET_ACCESS_KEY"],
        region_name=S3_KEYS["S3_REGION"],
    )


class Mailbox:
    """A local SMTP server (aiosmtpd) that keeps every message the worker sends."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], Any]] = []
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def wait_for(self, *, recipient: str, contains: str, timeout: float, after: int = 0) -> Any:
        """The first message to `recipient` containing `contains`, among those received after the first `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for recipients, message in self.messages[after:]:
                    if recipient in recipients and contains in message_text(message):
                        return message
            time.sleep(0.2)
        seen = [(r, str(m["Subject"])) for r, m in self.messages]
        raise DrillError(f"no e-mail to {recipient} containing {contains!r} within {timeout:.0f} s; got {seen}")


def message_text(message: Any) -> str:
    parts = [str(message["Subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


# --- The HTTP walk --------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """Every <form> on a page with the values a browser would send by default (inputs, checked boxes,
    selected options) and each select's options, enough to fill in a form the way a user does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._option: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "options": {}, "files": []})
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "file":
                form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "image", "reset"):
                form["fields"][name] = a.get("value", "")
        elif tag == "textarea" and name:
            form["fields"][name] = ""
        elif tag == "select" and name:
            self._select = name
            form["options"][name] = []
        elif tag == "option" and self._select:
            self._option = {"value": a.get("value", ""), "label": "", "selected": "selected" in a}
            form["options"][self._select].append(self._option)

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["label"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select and self.forms:
            options = self.forms[-1]["options"][self._select]
            chosen = next((o for o in options if o["selected"]), options[0] if options else None)
            if chosen is not None:
                self.forms[-1]["fields"][self._select] = chosen["value"]
            self._select = None


def form_on(page: str, action_contains: str = "", *, having: str = "") -> dict[str, Any]:
    """The first form whose action contains `action_contains` and that has an input named `having`."""
    parser = FormParser()
    parser.feed(page)
    for form in parser.forms:
        names = set(form["fields"]) | set(form["files"])
        if action_contains in html.unescape(form["action"]) and (having in names if having else names):
            return form
    raise DrillError(f"no form with action containing {action_contains!r} and a field {having!r} on the page")


class Browser:
    """One person's HTTPS session through the proxy; every request is pinned to process A (0) or B (1)."""

    def __init__(self, base: str, certificate: Path, statuses: list[int]) -> None:
        import requests

        self.base = base
        self.session = requests.Session()
        # Per request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's verify.
        self.certificate = str(certificate)
        # A browser sends Origin with every POST; Django's CSRF check compares it with the host.
        self.session.headers.update({"Origin": base, "User-Agent": "production-drill"})
        self.statuses = statuses

    def request(self, method: str, path: str, *, on: int, **kwargs: Any) -> Any:
        headers = {"X-Drill-Upstream": str(on), **kwargs.pop("headers", {})}
        response = self.session.request(
            method,
            self.base + path,
            headers=headers,
            allow_redirects=False,
            timeout=120,
            verify=self.certificate,
            **kwargs,
        )
        self.statuses.append(response.status_code)
        served = response.headers.get("X-Drill-Upstream")
        if served != str(on):
            raise DrillError(f"{method} {path}: asked for process {on}, served by {served}")
        if response.status_code >= 500:
            raise DrillError(f"{method} {path}: {response.status_code} {response.text[:300]!r}")
        return response

    def get(self, path: str, *, on: int, expect: int = 200, **kwargs: Any) -> Any:
        response = self.request("GET", path, on=on, **kwargs)
        if response.status_code != expect:
            raise DrillError(f"GET {path}: {response.status_code}, expected {expect}")
        return response

    def post(self, path: str, *, on: int, data: dict[str, Any], files: Any = None, **kwargs: Any) -> Any:
        response = self.request("POST", path, on=on, data=data, files=files, **kwargs)
        if response.status_code != 302:
            raise DrillError(f"POST {path}: {response.status_code}, expected a redirect: {errors_in(response.text)}")
        return response.headers["Location"]

    def log_in(self, identifier: str, password: str, *, on: int, headers: dict[str, str] | None = None) -> str:
        page = self.get("/tai-khoan/dang-nhap/", on=on).text
        form = form_on(page, having="identifier")
        fields = {**form["fields"], "identifier": identifier, "password": password}
        return self.post("/tai-khoan/dang-nhap/", on=on, data=fields, headers=headers or {})


def errors_in(page: str) -> str:
    found = re.findall(r'class="[^"]*(?:error|errorlist|alert)[^"]*"[^>]*>(.*?)</', page, flags=re.S)
    return "; ".join(re.sub(r"\s+", " ", html.unescape(t)).strip() for t in found if t.strip())[:400] or page[:200]


@dataclass
class Steps:
    """Prints each step with its time; a failing step ends the drill."""

    rows: list[tuple[str, float]] = field(default_factory=list)

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[list[str]]:
        notes: list[str] = []
        started = time.perf_counter()
        try:
            yield notes
        except Exception as exc:
            print(f"  FAILED {time.perf_counter() - started:7.2f} s  {label}: {exc}", flush=True)  # noqa: T201
            raise DrillError(f"{label}: {exc}") from exc
        elapsed = time.perf_counter() - started
        self.rows.append((label, elapsed))
        suffix = f" ({'; '.join(notes)})" if notes else ""
        print(f"  ok     {elapsed:7.2f} s  {label}{suffix}", flush=True)  # noqa: T201


def sample_files() -> list[tuple[str, bytes, str]]:
    """A PDF, and a JPEG larger than FILE_UPLOAD_MAX_MEMORY_SIZE (Django spools it to a temporary file)."""
    from dichvucong.dossiers.tests import samples

    return [
        ("giay-chung-sinh.pdf", samples.pdf_bytes("Giấy chứng sinh", pages=20), "application/pdf"),
        ("cccd.jpg", samples.noisy_jpeg_bytes(1800), "image/jpeg"),
    ]


def walk(
    *,
    base: str,
    certificate: Path,
    cast: Cast,
    mailbox: Mailbox,
    s3: Any,
    media_root: Path,
    steps: Steps,
    files: list[tuple[str, bytes, str]],
    app_ports: tuple[int, int],
    mail_timeout: float = 60,
) -> dict[str, Any]:
    """Through the proxy, A then B (app_ports: their own ports, for the direct health probe); reads the
    database with the ORM of the calling process (the drill's, or the test's)."""
    import requests
    from captcha.models import CaptchaStore
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dichvucong.accounts.models import LoginSession
    from dichvucong.catalog.tests.test_eforms import khai_sinh_data
    from dichvucong.dossiers.models import Dossier, DossierFile

    statuses: list[int] = []
    citizen = Browser(base, certificate, statuses)
    officer = Browser(base, certificate, statuses)
    A, B = 0, 1  # noqa: N806 - the two processes' names in the steps
    result: dict[str, Any] = {}

    with steps.step("round-robin: 4 × /healthz through the proxy") as notes:
        served = []
        for _ in range(4):
            response = citizen.session.get(base + "/healthz", timeout=30, verify=citizen.certificate)
            if response.status_code != 200:
                raise DrillError(f"/healthz {response.status_code}: {response.text[:200]}")
            served.append(response.headers.get("X-Drill-Upstream"))
        if set(served) != {"0", "1"}:
            raise DrillError(f"the proxy did not alternate: {served}")
        health = response.json()
        notes.append(f"served by {','.join(served)}; {', '.join(f'{k}={v}' for k, v in health.items())}"[:160])

    with steps.step("each process answers its own plain-HTTP health probe (no redirect to https)") as notes:
        for port in app_ports:
            probe = requests.get(f"http://127.0.0.1:{port}/healthz", allow_redirects=False, timeout=30)
            if probe.status_code != 200:
                raise DrillError(f":{port}/healthz answered {probe.status_code} {probe.headers.get('Location', '')}")
        notes.append(", ".join(f":{port} 200" for port in app_ports))

    with steps.step("citizen logs in on A (a forged X-Forwarded-For is sent along)") as notes:
        location = citizen.log_in(cast.citizen, cast.password, on=A, headers={"X-Forwarded-For": "203.0.113.9"})
        session = LoginSession.objects.filter(user__username=cast.citizen).order_by("-pk").first()
        if session is None or session.ip_address != "127.0.0.1":
            raise DrillError(f"login recorded from {session and session.ip_address}, not the proxy's client")
        notes.append(f"→ {location}; login recorded from {session.ip_address}")

    with steps.step("citizen fills in the form with 2 attachments on A") as notes:
        path = f"/ho-so/nop-ho-so/{cast.procedure}/"
        form = form_on(citizen.get(path, on=A).text, having="chu-owner_name")
        agencies = [o for o in form["options"].get("agency", []) if o["value"]]
        agency = next((o for o in agencies if cast.agency_hint in o["label"]), agencies[0] if agencies else None)
        fields = {k: v for k, v in form["fields"].items() if not k.startswith("tk-")}
        fields.update(khai_sinh_data())
        fields.update({"action": "gui", "nhan-result_delivery": "at_desk"})
        if agency:
            fields["agency"] = agency["value"]
        if len(form["files"]) < len(files):
            raise DrillError(f"the form has {len(form['files'])} file inputs")
        uploads = [(name, upload) for name, upload in zip(form["files"], files, strict=False)]
        location = citizen.post(path, on=A, data=fields, files=uploads)
        if "/xem-lai/" not in location:
            raise DrillError(f"the form went to {location}, not the review page")
        notes.append(f"{sum(len(b) for _n, b, _k in files) / 1e6:.1f} MB; agency {agency and agency['label'].strip()}")

    with steps.step("citizen sends it from the review page on A (captcha answered)") as notes:
        review = form_on(citizen.get(location, on=A).text, having="captcha_0")
        fields = review["fields"]
        fields["captcha_1"] = CaptchaStore.objects.get(hashkey=fields["captcha_0"]).response
        fields["pledge"] = "on"
        sent = citizen.post(location, on=A, data=fields)
        found = re.search(r"/ho-so/([^/]+)/thanh-cong/", sent)
        if not found:
            raise DrillError(f"sending went to {sent}")
        code = result["code"] = found.group(1)
        notes.append(code)

    dossier = Dossier.objects.get(code=code)
    stored = list(DossierFile.objects.filter(dossier=dossier).order_by("pk"))
    expected = {hashlib.sha256(body).hexdigest() for _n, body, _k in files}

    with steps.step("citizen reads the dossier on B and downloads every file") as notes:
        page = citizen.get(f"/ho-so/{code}/", on=B).text
        if code not in page:
            raise DrillError("the dossier page on B does not show the code")
        links = sorted(set(re.findall(r'href="(/ho-so/tep/\d+/)"', page)))
        got = {hashlib.sha256(citizen.get(link, on=B).content).hexdigest() for link in links}
        if got != expected or {f.sha256 for f in stored} != expected:
            raise DrillError(f"downloads {sorted(got)} ≠ uploads {sorted(expected)}")
        notes.append(f"{len(links)} files, SHA-256 equal to the uploads and to the stored hashes")

    with steps.step("files are objects in the S3 bucket, none on local disk") as notes:
        for record in stored:
            head = s3.head_object(Bucket=BUCKET, Key=record.file.name)
            if head["ContentLength"] != record.size:
                raise DrillError(f"{record.file.name}: {head['ContentLength']} bytes in S3, {record.size} recorded")
        local = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
        if local:
            raise DrillError(f"files under MEDIA_ROOT: {local[:5]}")
        listed = s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
        notes.append(f"head_object ok for {len(stored)}; {listed} objects in the bucket; MEDIA_ROOT empty")

    owner_email = dossier.owner_email
    with steps.step("the worker e-mails the citizen: dossier sent") as notes:
        if not owner_email:
            raise DrillError("the dossier has no e-mail address")
        message = mailbox.wait_for(recipient=owner_email, contains=code, timeout=mail_timeout)
        notes.append(f"to {owner_email}: {message['Subject']}")

    with steps.step("officer logs in on B with password and TOTP code") as notes:
        location = officer.log_in(cast.officer, cast.password, on=B)
        challenge = officer.request("GET", "/mot-cua/", on=B).headers.get("Location", "")
        if "xac-thuc-hai-lop" in challenge:
            form = form_on(officer.get(challenge, on=B).text, having="token")
            device = TOTPDevice.objects.filter(user__username=cast.officer, confirmed=True).first()
            if device is None:
                raise DrillError(f"{cast.officer} has no confirmed TOTP device")
            token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"
            location = officer.post(challenge, on=B, data={**form["fields"], "token": token})
            notes.append("TOTP code accepted")
        notes.append(f"→ {location}")

    with steps.step("officer finds it in the queue on B, opens it and downloads a file") as notes:
        queue = officer.get("/mot-cua/", on=B).text
        if code not in queue:
            raise DrillError("the new dossier is not in the officer's queue")
        page = officer.get(f"/mot-cua/ho-so/{code}/", on=B).text
        links = sorted(set(re.findall(r'href="(/mot-cua/tep/\d+/)"', page)))
        if not links:
            raise DrillError("no file link on the officer's dossier page")
        body = officer.get(links[0], on=B).content
        if hashlib.sha256(body).hexdigest() not in expected:
            raise DrillError("the officer's download differs from the upload")
        notes.append(f"{len(links)} file links; {links[0]} {len(body)} bytes, same SHA-256")

    mails_before_receiving = len(mailbox.messages)
    with steps.step("officer receives the dossier on B") as notes:
        action = f"/mot-cua/ho-so/{code}/thao-tac/receive/"
        form = form_on(page, "thao-tac/receive")
        location = officer.post(action, on=B, data=form["fields"])
        dossier.refresh_from_db()
        notes.append(f"status {dossier.status}, appointment {dossier.appointment_at:%d/%m/%Y %H:%M}")

    with steps.step("the worker e-mails the citizen: dossier received") as notes:
        message = mailbox.wait_for(
            recipient=owner_email, contains="tiếp nhận", timeout=mail_timeout, after=mails_before_receiving
        )
        notes.append(f"{message['Subject']}")

    result["statuses"] = statuses
    result["server_errors"] = [s for s in statuses if s >= 500]
    return result


# --- The recipe -----------------------------------------------------------------------------------


def fresh_database(name: str) -> str:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def start_s3(services: Services, ports: Ports, env: dict[str, str]) -> None:
    services.start(
        "s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ports.s3)], env, port=ports.s3
    )


def create_bucket(ports: Ports) -> Any:
    s3 = s3_client(ports)
    s3.create_bucket(Bucket=BUCKET)
    return s3


def start_portal(
    services: Services, ports: Ports, env: dict[str, str], *, workers: int, work: Path, static: Path | None
) -> Path:
    """Gunicorn A and B, the proxy (TLS) in front, the huey worker; returns the proxy's certificate.
    Waits for none of them: Services.ready() does."""
    from common import gunicorn_command

    certificate, key = tls_certificate(work)
    for name, port in (("gunicorn-a", ports.a), ("gunicorn-b", ports.b)):
        services.start(name, gunicorn_command(port=port, workers=workers, access_log=True), env, port=port)
    services.start("huey", [sys.executable, str(ROOT / "manage.py"), "run_huey"], env)
    proxy = [sys.executable, str(ROOT / "scripts" / "reverse_proxy.py"), "--listen", str(ports.proxy)]
    proxy += ["--upstream", f"127.0.0.1:{ports.a}", "--upstream", f"127.0.0.1:{ports.b}"]
    proxy += ["--certificate", str(certificate), "--key", str(key)]
    if static is not None:
        proxy += ["--static", str(static)]
    services.start("proxy", proxy, env, port=ports.proxy)
    return certificate


def server_log_problems(services: Services) -> list[str]:
    problems = []
    for name in ("gunicorn-a", "gunicorn-b", "huey"):
        text = services.log(name)
        for marker in ("Traceback", "ERROR"):
            if marker in text:
                problems.append(f"{name}.log has {text.count(marker)} × {marker}")
    return problems


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise DrillError(f"manage.py {' '.join(args)}: {done.stderr[-1500:] or done.stdout[-1500:]}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="h_prod_recipe", help="PostgreSQL database, dropped and recreated")
    parser.add_argument("--restore-database", default="h_prod", help="database restore.sh fills, recreated")
    parser.add_argument("--redis-db", type=int, default=6, help="Redis database number, flushed")
    parser.add_argument("--port-base", type=int, default=8341, help="proxy; +1 A, +2 B, +3 S3, +4 SMTP")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process")
    parser.add_argument("--keep", action="store_true", help="keep the work folder even on success")
    args = parser.parse_args()

    ports = Ports.from_base(args.port_base)
    work = Path(tempfile.mkdtemp(prefix="dvc-drill-"))
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    steps = Steps()
    services = Services(work)
    started = time.perf_counter()
    print(f"production drill: work folder {work}", flush=True)  # noqa: T201
    ok = False
    try:
        with steps.step("S3: moto server up, bucket created") as notes:
            env = recipe_environment(database_url="", redis_url=redis_url, ports=ports, work=work)
            start_s3(services, ports, env)
            services.ready()
            s3 = create_bucket(ports)
            notes.append(f"http://127.0.0.1:{ports.s3}/{BUCKET}")
        with steps.step("PostgreSQL: fresh database, migrate, cache table") as notes:
            env["DATABASE_URL"] = fresh_database(args.database)
            flush_redis(redis_url)
            manage(env, "migrate", "--no-input", "-v0")
            manage(env, "createcachetable")
            notes.append(args.database)
        with steps.step("manage.py check --deploy under the recipe's settings") as notes:
            output = manage(env, "check", "--deploy")
            notes.append(output.strip().splitlines()[-1])
        with steps.step("collectstatic (manifest, compressed)"):
            manage(env, "collectstatic", "--no-input", "-v0")
        with steps.step("demo data (files go to the bucket)") as notes:
            output = manage(env, "demo", "--allow-production")
            notes.append(f"{s3.list_objects_v2(Bucket=BUCKET).get('KeyCount', 0)} objects in the bucket")
            del output
        # This process reads the same database with the same settings: the operator's shell.
        os.environ.update(env)
        import django

        django.setup()
        with Mailbox(ports.smtp) as mailbox:
            with steps.step(f"gunicorn A and B ({args.workers} workers each), proxy (TLS), huey worker") as notes:
                certificate = start_portal(
                    services, ports, env, workers=args.workers, work=work, static=work / "static"
                )
                files = sample_files()
                services.ready()
                notes.append(f"https://127.0.0.1:{ports.proxy}/ → :{ports.a}, :{ports.b}")
            with steps.step("static file served by the proxy itself") as notes:
                import requests

                page = requests.get(f"https://127.0.0.1:{ports.proxy}/", verify=str(certificate), timeout=30)
                css = re.search(r'href="(/static/[^"]+\.css)"', page.text)
                served = css and requests.get(
                    f"https://127.0.0.1:{ports.proxy}{css.group(1)}", verify=str(certificate), timeout=30
                )
                # The proxy marks what it forwarded with X-Drill-Upstream; a file it served itself has none.
                if not served or served.status_code != 200 or "X-Drill-Upstream" in served.headers:
                    raise DrillError(f"the stylesheet {css and css.group(1)} is not served by the proxy")
                notes.append(f"{css.group(1)} {len(served.content)} bytes")
            result = walk(
                base=f"https://127.0.0.1:{ports.proxy}",
                certificate=certificate,
                cast=DEMO_CAST,
                mailbox=mailbox,
                s3=s3,
                media_root=work / "media",
                steps=steps,
                files=files,
                app_ports=(ports.a, ports.b),
            )
            with steps.step("integrity checks, audit sealing and archive export read the files from S3") as notes:
                output = manage(env, "integrity_verify")
                notes.append(output.strip().splitlines()[-1])
                checked = subprocess.run(  # noqa: S603
                    [sys.executable, str(ROOT / "scripts" / "integrity.py")], env=env, cwd=ROOT, capture_output=True
                )
                if checked.returncode != 0:
                    raise DrillError(f"scripts/integrity.py: {checked.stdout.decode()[-600:]}")
                notes.append(" ".join(checked.stdout.decode().split()))
                notes.append(manage(env, "audit_verify").strip().splitlines()[-1])
                bags = work / "bags"
                manage(env, "archive_export", "--code", _finished_code(), "--out", str(bags))
                output = manage(env, "archive_verify", *[str(p) for p in bags.iterdir()])
                notes.append(output.strip().splitlines()[-1])
            with steps.step("backup.sh with files in S3") as notes:
                backup = subprocess.run(  # noqa: S603
                    ["bash", str(ROOT / "scripts" / "backup.sh"), str(work / "backup")],  # noqa: S607
                    env={**env, "PYTHON": sys.executable},
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if backup.returncode != 0:
                    raise DrillError(backup.stderr[-800:])
                notes.append(", ".join(sorted(p.name for p in (work / "backup").iterdir())))
            with steps.step("restore.sh into another fresh database finds every file in the bucket") as notes:
                target = {**env, "PYTHON": sys.executable, "DATABASE_URL": fresh_database(args.restore_database)}
                restore = subprocess.run(  # noqa: S603
                    ["bash", str(ROOT / "scripts" / "restore.sh"), str(work / "backup")],  # noqa: S607
                    env=target,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if restore.returncode != 0:
                    raise DrillError((restore.stdout + restore.stderr)[-800:])
                notes.append(" ".join(restore.stdout.split()[-12:]))
        problems = server_log_problems(services)
        print(  # noqa: T201
            f"requests {len(result['statuses'])}, answers >= 500: {len(result['server_errors'])}, "
            f"log problems: {problems or 'none'}"
        )
        ok = not result["server_errors"] and not problems
    except DrillError as failure:
        print(f"FAILED: {failure}", flush=True)  # noqa: T201
    finally:
        services.stop()
    total = time.perf_counter() - started
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"logs and files kept in {work}")  # noqa: T201
    print(f"{'OK' if ok else 'FAILED'}: production drill in {total:.1f} s")  # noqa: T201
    return 0 if ok else 1


def _finished_code() -> str:
    from dichvucong.dossiers.constants import DossierStatus
    from dichvucong.dossiers.models import Dossier

    finished = Dossier.objects.filter(status=DossierStatus.RETURNED).exclude(code="").order_by("pk").first()
    if finished is None:
        raise DrillError("the demo has no finished dossier to archive")
    return finished.code


if __name__ == "__main__":
    raise SystemExit(main())
