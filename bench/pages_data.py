"""The data bench/pages.py measures: bench/lookup.py's dossiers plus one agency and one applicant in use.

One PostgreSQL database per size (`dvc_bench_pages_<rows>`), reused when already filled, holding
`rows` dossiers in all:

- `rows - FOCUS_DOSSIERS` dossiers over bench/lookup.py's 200 synthetic agencies (its INSERT … SELECT
  generate_series fill, the look-up's codes), over a catalogue of 6,000 procedures (bench/catalog.py's
  generator, `manage.py catalog_generate`);
- the focus agency (UBND xã Thử Tải) with 5,000 sent dossiers of the last weeks, dated from the fill's
  moment so that every back-office queue is full: waiting for reception (some past the 8-hour limit),
  at each step of the default process (half assigned to the step's officer, half to the role),
  due soon, overdue, result ready, paused, finished; a history (hash-chained events, as the service
  writes them) for each; consultations asked of it by other agencies; one officer per role;
- the focus applicant with 1,000 dossiers at that agency in every folder of "Hồ sơ của tôi" (100 drafts);
- the statistics snapshots of the last `stats_days` days (the `stats_snapshot` command's service), and
  today's, stored again at every run as the 15-minute job does.

The focus rows are rebuilt when incomplete; the big fill only when its own count is wrong. The queues
are relative to the fill's moment: reused weeks later, "Sắp đến hạn" and "Chờ tiếp nhận" drift (refill
with --refill-focus).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

FOCUS_AGENCY = "000.99.00.H46"
FOCUS_SENT = 5000
FOCUS_DRAFTS = 100
FOCUS_DOSSIERS = FOCUS_SENT + FOCUS_DRAFTS
APPLICANT = "bench.nguoinop"
APPLICANT_SENT = 900  # with FOCUS_DRAFTS: 1,000 dossiers
CONSULTATIONS = 60
PROCEDURES = 6000
FOCUS_PROCEDURES = 40
OFFICERS = {
    "mot_cua": ("bench.motcua", "Lê Thị Một Cửa"),
    "chuyen_vien": ("bench.chuyenvien", "Trần Văn Chuyên"),
    "lanh_dao_phong": ("bench.lanhdaophong", "Phạm Minh Phòng"),
    "lanh_dao_co_quan": ("bench.lanhdaocoquan", "Hoàng Quốc Cơ"),
    "van_thu": ("bench.vanthu", "Vũ Thị Văn"),
}
# Out of 40 focus dossiers: where each stands, so that every queue and folder holds some.
STATUS_MIX = (
    ["submitted"] * 4
    + ["processing"] * 18
    + ["result_ready"] * 3
    + ["supplement_requested"] * 2
    + ["payment_requested", "suspended"]
    + ["returned"] * 8
    + ["refused", "withdrawn", "processing"]
)


@dataclass
class Fill:
    rows: int
    codes: list[str]  # look-up: codes of the big fill
    pks: list[int]  # the one-query view
    own: list[str]  # the applicant's sent dossiers
    focus: list[str]  # the focus agency's sent dossiers
    procedures: list[str]  # catalogue codes
    owned: int
    stats_first: dt.date
    stats_last: dt.date
    seconds: dict[str, float] = field(default_factory=dict)


def prepare(rows: int, *, stats_days: int, refill_focus: bool = False) -> Fill:
    import lookup

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    layout = lookup._prepare(rows - FOCUS_DOSSIERS, postgres=True, procedures=PROCEDURES)
    seconds["dossiers"] = time.perf_counter() - started

    from django.db import connection

    from dichvucong.catalog.models import Procedure
    from dichvucong.dossiers.models import Dossier

    agency = _focus_agency()
    present = Dossier.objects.filter(agency=agency).count()
    if refill_focus or present != FOCUS_DOSSIERS:
        started = time.perf_counter()
        _fill_focus(agency)
        seconds["focus"] = time.perf_counter() - started
        print(f"focus agency and applicant filled in {seconds['focus']:.1f} s")
    else:
        print(f"reusing the focus agency's {present:,} dossiers")

    first, last = _snapshots(stats_days, seconds)
    with connection.cursor() as cursor:
        # Every table, as autovacuum keeps them in production: a table the fill wrote but nobody
        # analysed (accounts_user with its 1,000 applicants) is planned as 30 rows, and the queues'
        # join with the assignee became a nested loop over a sequential scan, 0.7 s at 1,000,000.
        # VACUUM too: it sets the visibility map, without which no index-only scan skips the heap
        # (the queue tabs' counts read dossier_agency_queue_counts alone: 2.3 ms instead of 3.7).
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        seconds["analyze"] = time.perf_counter() - started
    sample = random.Random(1).sample(range(rows - FOCUS_DOSSIERS), 500)
    applicant_sent = Dossier.objects.filter(applicant__username=APPLICANT).exclude(status="draft")
    focus = Dossier.objects.filter(agency=agency).exclude(status="draft")
    return Fill(
        rows=rows,
        codes=[layout.code(i) for i in sample],
        pks=list(Dossier.objects.filter(code__in=[layout.code(i) for i in sample[:200]]).values_list("pk", flat=True)),
        own=list(applicant_sent.order_by("?").values_list("code", flat=True)[:100]),
        focus=list(focus.order_by("?").values_list("code", flat=True)[:200]),
        procedures=list(
            Procedure.objects.filter(current_version__isnull=False).order_by("?").values_list("code", flat=True)[:200]
        ),
        owned=Dossier.objects.filter(applicant__username=APPLICANT).count(),
        stats_first=first,
        stats_last=last,
        seconds=seconds,
    )


def _focus_agency() -> Any:
    from dichvucong.agencies.constants import AgencyKind
    from dichvucong.agencies.models import Agency

    agency, _created = Agency.objects.get_or_create(
        code=FOCUS_AGENCY, defaults={"name": "UBND xã Thử Tải", "kind": AgencyKind.COMMUNE_COMMITTEE}
    )
    return agency


def _users(agency: Any) -> tuple[Any, dict[str, Any]]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dichvucong.accounts.constants import AccountKind
    from dichvucong.accounts.models import OfficerProfile, OfficerRoleAssignment, User

    applicant, _c = User.objects.get_or_create(
        username=APPLICANT, defaults={"full_name": "Nguyễn Văn Thử", "national_id": "046090009999", "password": "!"}
    )
    officers = {}
    for role, (username, name) in OFFICERS.items():
        user, _c = User.objects.get_or_create(
            username=username, defaults={"full_name": name, "kind": AccountKind.OFFICER, "password": "!"}
        )
        profile, _c = OfficerProfile.objects.get_or_create(user=user, defaults={"agency": agency})
        OfficerRoleAssignment.objects.get_or_create(profile=profile, role=role)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=True)
        officers[role] = user
    return applicant, officers


def _fill_focus(agency: Any) -> None:
    """5,000 sent dossiers and 100 drafts at the focus agency, their events, consultations asked of it."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dichvucong.accounts.models import User
    from dichvucong.catalog.models import Procedure
    from dichvucong.dossiers.models import Consultation, Dossier, DossierEvent
    from dichvucong.workflow.services import process_for

    applicant, officers = _users(agency)
    with connection.cursor() as cursor:
        # Events are append-only for the application; the bench rebuilds its own rows wholesale.
        focus = "SELECT id FROM dossiers_dossier WHERE agency_id = %s"
        cursor.execute("DELETE FROM dossiers_consultation WHERE agency_id = %s", [agency.pk])
        cursor.execute(f"DELETE FROM dossiers_dossierevent WHERE dossier_id IN ({focus})", [agency.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM dossiers_consultation WHERE dossier_id IN ({focus})", [agency.pk])  # noqa: S608
        cursor.execute("DELETE FROM dossiers_dossier WHERE agency_id = %s", [agency.pk])

    procedures = list(
        Procedure.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by("code")[:FOCUS_PROCEDURES]
    )
    processes = [process_for(procedure=p, agency=agency) for p in procedures]
    orders = {p.pk: {s.role: s.order for s in p.steps.all()} for p in processes}
    citizens = list(User.objects.filter(username__startswith="bench0").values_list("pk", flat=True)[:500])
    rng = random.Random(15)
    now = timezone.now()
    local = dt.timezone(dt.timedelta(hours=7))
    counters: dict[dt.date, int] = {}
    dossiers, plans = [], []
    steps = ("chuyen_vien", "lanh_dao_phong", "lanh_dao_co_quan", "van_thu")
    for k in range(FOCUS_SENT + FOCUS_DRAFTS):
        draft = k >= FOCUS_SENT
        status = "draft" if draft else STATUS_MIX[k % len(STATUS_MIX)]
        mine = draft or k % 50 < APPLICANT_SENT * 50 // FOCUS_SENT
        which = k % len(procedures)
        procedure, process = procedures[which], processes[which]
        # Waiting for reception: sent within the last working day or two (some past the 8 hours);
        # the rest over the last six weeks, the open ones due from ten days ago to three weeks ahead.
        age = (
            dt.timedelta(hours=rng.uniform(0.5, 40)) if status == "submitted" else dt.timedelta(days=rng.uniform(2, 42))
        )
        sent = now - age
        day = sent.astimezone(local).date()
        counters[day] = counters.get(day, 0) + 1
        received = sent + dt.timedelta(hours=3) if status not in ("submitted", "draft") else None
        appointment = now + dt.timedelta(hours=rng.uniform(-240, 500)) if received else None
        if status in ("processing", "result_ready") and k % 7 == 0:
            appointment = now + dt.timedelta(hours=rng.uniform(1, 30))  # "Sắp đến hạn"
        step_role = steps[k % len(steps)] if status == "processing" else "mot_cua" if status == "result_ready" else None
        d = Dossier(
            procedure_version_id=procedure.current_version_id,
            agency=agency,
            applicant_id=applicant.pk if mine else citizens[k % len(citizens)],
            owner_name=f"Nguyễn Văn Thử {k}" if mine else f"Trần Thị Dân {k}",
            owner_national_id=f"{46_090_000_000 + k:012d}",
            status=status,
            code=None if draft else f"{FOCUS_AGENCY}-{day:%y%m%d}-{counters[day]:04d}",
            submitted_at=None if draft else sent,
            received_at=received,
            appointment_at=appointment,
            original_appointment_at=appointment,
            returned_at=sent + dt.timedelta(days=1.5) if status == "returned" else None,
            acceptance_due_at=None if draft else sent + dt.timedelta(hours=8 if status != "submitted" else 26),
            process=process if received else None,
            step_order=orders[process.pk][step_role] if step_role else None,
            assignee=officers[step_role] if step_role and k % 2 == 0 else None,
            step_started_at=now - dt.timedelta(hours=rng.uniform(1, 30)) if step_role else None,
            step_due_at=now + dt.timedelta(hours=rng.uniform(-20, 60)) if step_role else None,
        )
        dossiers.append(d)
        plans.append((sent, received, status, step_role, mine))
    with transaction.atomic():
        Dossier.objects.bulk_create(dossiers, batch_size=1000)
        with connection.cursor() as cursor:
            # auto_now_add set the creation to the fill's moment: a dossier was created when it was sent.
            cursor.execute(
                "UPDATE dossiers_dossier SET created_at = COALESCE(submitted_at, %s) - interval '1 hour', "
                "updated_at = COALESCE(received_at, submitted_at, %s) WHERE agency_id = %s",
                [now - dt.timedelta(days=3), now, agency.pk],
            )
        DossierEvent.objects.bulk_create(_events(dossiers, plans, applicant, officers), batch_size=2000)
        others = list(
            Dossier.objects.exclude(agency=agency)
            .filter(status="processing")
            .values_list("pk", flat=True)[:CONSULTATIONS]
        )
        Consultation.objects.bulk_create(
            Consultation(
                dossier_id=pk,
                agency=agency,
                question=f"Đề nghị cho ý kiến về hồ sơ số {n}.",
                requested_by_id=citizens[0],
                requested_at=now - dt.timedelta(hours=n),
                due_at=now + dt.timedelta(hours=40 - n),
                answer="" if n % 3 else "Thống nhất.",
                answered_by=officers["chuyen_vien"] if n % 3 == 0 else None,
                answered_at=now if n % 3 == 0 else None,
            )
            for n, pk in enumerate(others)
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dossiers_dossier")
            cursor.execute("ANALYZE dossiers_dossierevent")


def _events(dossiers: list[Any], plans: list[tuple], applicant: Any, officers: dict[str, Any]) -> list[Any]:
    """The history each dossier's status implies, chained by hash as services.dossier_transition writes it."""
    from dichvucong.dossiers.models import DossierEvent

    steps = ("chuyen_vien", "lanh_dao_phong", "lanh_dao_co_quan", "van_thu")
    events = []
    for dossier, (sent, received, status, step_role, mine) in zip(dossiers, plans, strict=True):
        if status == "draft":
            continue
        moves: list[tuple[str, str, str, Any, dt.datetime]] = [("submit", "draft", "submitted", None, sent)]
        if status == "refused":
            moves.append(("refuse", "submitted", "refused", officers["mot_cua"], sent + dt.timedelta(hours=2)))
        elif status == "withdrawn":
            moves.append(("withdraw", "submitted", "withdrawn", None, sent + dt.timedelta(hours=1)))
        elif received is not None:
            moves.append(("receive", "submitted", "processing", officers["mot_cua"], received))
            reached = steps.index(step_role) if step_role in steps else len(steps) - 1
            for n in range(reached):
                moves.append(
                    ("forward", "processing", "processing", officers[steps[n]], received + dt.timedelta(hours=n + 1))
                )
            later = received + dt.timedelta(hours=6)
            follow = {
                "supplement_requested": [("request_supplement", "processing", "supplement_requested", "chuyen_vien")],
                "payment_requested": [("request_payment", "processing", "payment_requested", "mot_cua")],
                "suspended": [("suspend", "processing", "suspended", "lanh_dao_co_quan")],
                "result_ready": [("finish", "processing", "result_ready", "van_thu")],
                "returned": [
                    ("finish", "processing", "result_ready", "van_thu"),
                    ("return_result", "result_ready", "returned", "mot_cua"),
                ],
            }.get(status, [])
            for n, (action, before, after, role) in enumerate(follow):
                moves.append((action, before, after, officers[role], later + dt.timedelta(hours=n)))
        previous = ""
        for sequence, (action, before, after, actor, moment) in enumerate(moves, start=1):
            event = DossierEvent(
                dossier_id=dossier.pk,
                sequence=sequence,
                action=action,
                from_status=before,
                to_status=after,
                actor_id=actor.pk if actor else dossier.applicant_id,
                actor_label=actor.full_name if actor else applicant.full_name if mine else dossier.owner_name,
                created_at=moment,
                previous_hash=previous,
            )
            event.hash = event.compute_hash()
            previous = event.hash
            events.append(event)
    return events


def _snapshots(days: int, seconds: dict[str, float]) -> tuple[dt.date, dt.date]:
    """The snapshots of the `days` days before today, stored by the statistics job's service if missing."""
    from dichvucong.stats.models import DailySnapshot
    from dichvucong.stats.selectors import local_today
    from dichvucong.stats.services import snapshot_store, snapshot_store_range

    last = local_today() - dt.timedelta(days=1)
    first = last - dt.timedelta(days=days - 1)
    stored = DailySnapshot.objects.filter(day__gte=first, day__lte=last).values("day").distinct().count()
    if stored < days:
        started = time.perf_counter()
        snapshot_store_range(first=first, last=last)
        seconds["snapshots"] = time.perf_counter() - started
        print(f"statistics snapshots of {first} … {last} stored in {seconds['snapshots']:.1f} s")
    else:
        print(f"reusing the statistics snapshots of {first} … {last}")
    # Today as the 15-minute job stores it (stats.tasks.stats_snapshot_today): in production the
    # pages never count today from the dossiers while a visitor waits, so neither does the bench.
    started = time.perf_counter()
    snapshot_store(day=local_today())
    seconds["snapshot_today"] = time.perf_counter() - started
    print(f"today's snapshot stored in {seconds['snapshot_today']:.1f} s")
    return first, last
