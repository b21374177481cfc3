"""Reads for the officers' site (Hệ thống một cửa điện tử): the queues, the agency's dossiers, one dossier.

Every queue page costs the same few queries whatever the number of dossiers: one aggregate gives
all the tab counts, one query the page's rows (with the procedure and the assignee joined). Rows are
the officer's agency's only (core.permissions.restrict_to_agency), a system administrator's all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from dichvucong.agencies.calendar import calendar_for
from dichvucong.agencies.models import Agency
from dichvucong.core.compiled import CompiledQuery
from dichvucong.core.pagination import KeysFirstPaginator
from dichvucong.core.permissions import is_system_admin, officer_agency_id, restrict_to_agency
from dichvucong.dossiers.codes import CODE_TIMEZONE
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Consultation, Dossier, DossierDocument, DossierFile
from dichvucong.workflow.constants import DEFAULT_STEPS
from dichvucong.workflow.engine import StepSpec
from dichvucong.workflow.models import ProcessStep
from dichvucong.workflow.selectors import officer_state, process_steps
from dichvucong.workflow.services import process_in_force

QUEUE_PAGE_SIZE = 25
# "Sắp đến hạn": the appointment falls within this much working time from now.
DUE_SOON = timedelta(hours=16)
# The acceptance countdown turns amber under this much working time left.
ACCEPTANCE_WARNING = timedelta(hours=2)

_IN_PROGRESS = (DossierStatus.PROCESSING, DossierStatus.SUSPENDED, DossierStatus.RESULT_READY)


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str
    # Ordering of the rows: the most urgent first.
    ordering: tuple[str, ...]


QUEUES: tuple[Queue, ...] = (
    Queue("cho-tiep-nhan", _("Chờ tiếp nhận"), ("acceptance_due_at", "pk")),
    Queue("viec-cua-toi", _("Việc của tôi"), ("step_due_at", "pk")),
    Queue("sap-den-han", _("Sắp đến hạn"), ("appointment_at", "pk")),
    Queue("qua-han", _("Quá hạn"), ("appointment_at", "pk")),
    Queue("cho-tra-ket-qua", _("Chờ trả kết quả"), ("step_due_at", "pk")),
    Queue("tat-ca", _("Tất cả hồ sơ"), ("-submitted_at", "-pk")),
)
QUEUE_SLUGS = {queue.slug: queue for queue in QUEUES}


def agency_dossiers(user: Any) -> QuerySet[Dossier]:
    """Sent dossiers the officer may see: their agency's (all agencies for a system administrator)."""
    return restrict_to_agency(Dossier.objects.exclude(status=DossierStatus.DRAFT), user)


def _holds_current_step(*, officer: int, roles: tuple[str, ...], unit: int | None) -> Q:
    """Dossiers whose current step this officer holds: assigned to them, or unassigned in their role/unit."""
    step = ProcessStep.objects.filter(process=OuterRef("process"), order=OuterRef("step_order"))
    held = step.filter(
        Q(officer=officer)
        | Q(officer__isnull=True, role__in=roles, unit__isnull=True)
        | Q(officer__isnull=True, role__in=roles, unit=unit)
    )
    return Q(assignee=officer) | Q(assignee__isnull=True) & Q(Exists(held))


class QueueConditions(dict[str, Q]):
    """What puts a dossier in each queue (slug → Q), and the plain values they were made of
    (`values`: the agency or None for all, the instant, "due soon"'s limit, the officer)."""

    values: dict[str, Any]


def _conditions(values: Mapping[str, Any]) -> dict[str, Q]:
    now, soon = values["now"], values["soon"]
    holds = _holds_current_step(officer=values["officer"], roles=values["roles"], unit=values["unit"])
    return {
        "cho-tiep-nhan": Q(status=DossierStatus.SUBMITTED),
        "viec-cua-toi": Q(status=DossierStatus.PROCESSING) & holds,
        "sap-den-han": Q(status__in=_IN_PROGRESS, appointment_at__gte=now, appointment_at__lte=soon),
        "qua-han": Q(status__in=_IN_PROGRESS, appointment_at__lt=now),
        "cho-tra-ket-qua": Q(status=DossierStatus.RESULT_READY),
        "tat-ca": Q(),
    }


def queue_filters(user: Any, *, now: datetime, calendars: dict[int, Any] | None = None) -> QueueConditions:
    """What puts a dossier in each queue, for this officer at this instant.

    "Sắp đến hạn" counts its 16 working hours on the officer's agency's calendar (the national
    one for a system administrator); pass the page's `calendars` dict and the rows' countdowns
    reuse it instead of reading the same calendar again.
    """
    # A system administrator sees every agency's dossiers, even with an officer profile of their own.
    own = officer_agency_id(user) is not None and not is_system_admin(user)
    agency = user.officer_profile.agency if own else None
    calendar = calendar_for(agency)
    if agency is not None and calendars is not None:
        calendars[agency.pk] = calendar
    officer = officer_state(user)
    values = {
        "agency": agency.pk if agency is not None else None,
        "now": now,
        "soon": calendar.add_working_time(now, DUE_SOON),
        "officer": officer.user_id,
        "roles": tuple(sorted(officer.roles)),
        "unit": officer.unit_id,
    }
    conditions = QueueConditions(_conditions(values))
    conditions.values = values
    return conditions


# The tab counts' SQL is the same for every officer of the same shape (own agency or all, number of
# roles, a unit or none): compiled once per process (core/compiled.py), 2.9 ms saved per queue page.
_QUEUE_COUNTS = CompiledQuery("queue tab counts")


def _alias(slug: str) -> str:
    return slug.replace("-", "_")


def _count_tabs(values: Mapping[str, Any]) -> Mapping[str, Any]:
    dossiers = Dossier.objects.exclude(status=DossierStatus.DRAFT)
    if values["agency"] is not None:
        dossiers = dossiers.filter(agency=values["agency"])
    aggregates = {_alias(slug): Count("pk", filter=condition) for slug, condition in _conditions(values).items()}
    return dossiers.aggregate(**aggregates)


def queue_counts(user: Any, *, filters: QueueConditions) -> dict[str, int]:
    """Every tab's count in one query (`filters` from queue_filters)."""
    if filters.values["agency"] is None and not is_system_admin(user):
        return dict.fromkeys(filters, 0)  # not an officer of any agency: sees nothing (restrict_to_agency)
    counts = _QUEUE_COUNTS.fetch_one(filters.values, _count_tabs)
    return {slug: counts[_alias(slug)] or 0 for slug in filters}


@dataclass(frozen=True)
class QueueFilters:
    """The "Tất cả hồ sơ" filters, from the query string; anything malformed is ignored, never an error."""

    code: str = ""
    applicant: str = ""
    procedure: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        def date(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat((query.get(name) or "")[:10])
            except ValueError:
                return None

        status = query.get("trang-thai") or ""
        return cls(
            code=(query.get("ma") or "").strip()[:40],
            applicant=(query.get("nguoi-nop") or "").strip()[:100],
            procedure=(query.get("thu-tuc") or "").strip()[:32],
            status=status if status in DossierStatus.values and status != DossierStatus.DRAFT else "",
            date_from=date("tu-ngay"),
            date_to=date("den-ngay"),
        )

    def apply(self, queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
        if self.code:
            queryset = queryset.filter(code__icontains=self.code)
        if self.applicant:
            queryset = queryset.filter(
                Q(owner_name__icontains=self.applicant) | Q(owner_national_id__startswith=self.applicant)
            )
        if self.procedure:
            queryset = queryset.filter(procedure_version__procedure__code=self.procedure)
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.date_from:
            start = datetime.combine(self.date_from, dt.time.min, tzinfo=CODE_TIMEZONE)
            queryset = queryset.filter(submitted_at__gte=start)
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), dt.time.min, tzinfo=CODE_TIMEZONE)
            queryset = queryset.filter(submitted_at__lt=end)
        return queryset

    @property
    def active(self) -> bool:
        return any((self.code, self.applicant, self.procedure, self.status, self.date_from, self.date_to))


def queue_rows(
    user: Any, *, slug: str, conditions: Mapping[str, Q], filters: QueueFilters | None = None
) -> QuerySet[Dossier]:
    queue = QUEUE_SLUGS[slug]
    queryset = agency_dossiers(user).filter(conditions[slug])
    if filters is not None:
        queryset = filters.apply(queryset)
    return queryset.select_related("procedure_version__procedure", "agency", "assignee").order_by(*queue.ordering)


# What a queue row shows (backoffice/queues.html) and what its countdown needs (agency_deadline,
# countdown: the status, both deadlines and the agency's working hours).
QUEUE_ROW_FIELDS = (
    "code",
    "status",
    "owner_name",
    "submitted_at",
    "acceptance_due_at",
    "appointment_at",
    "procedure_version__name",
    "agency__morning_start",
    "agency__morning_end",
    "agency__afternoon_start",
    "agency__afternoon_end",
    "assignee__full_name",
    "assignee__username",
)


def queue_page(
    user: Any,
    *,
    slug: str,
    conditions: Mapping[str, Q],
    count: int,
    page_number: Any,
    filters: QueueFilters | None = None,
) -> Page:
    """One page of a queue; `count` is the tab's figure (so the paginator does not count again).

    The rows carry only the columns the queue table and its countdown show (QUEUE_ROW_FIELDS): a
    dossier's declaration and its procedure's e-form are JSON, decoded for every row otherwise.
    """
    rows = queue_rows(user, slug=slug, conditions=conditions, filters=filters)
    shown = Dossier.objects.select_related("procedure_version", "agency", "assignee").only(*QUEUE_ROW_FIELDS)
    paginator = KeysFirstPaginator(rows, QUEUE_PAGE_SIZE, rows=shown)
    if filters is None or not filters.active:
        paginator.count = count  # type: ignore[misc] - cached_property, set to the known figure
    return paginator.get_page(page_number)


@dataclass(frozen=True)
class Countdown:
    """How long is left until a deadline, in working time, and how worried to be."""

    remaining: timedelta  # negative when overdue
    level: str  # "ok", "warning", "overdue"

    @property
    def hours(self) -> float:
        return round(abs(self.remaining).total_seconds() / 3600, 1)

    @property
    def text(self) -> str:
        """ "Còn 3,5 giờ làm việc" / "Quá hạn 2 giờ làm việc": formatted here rather than by a
        {% blocktranslate %} with |floatformat per row (100 µs each, 25 rows a queue page)."""
        return _countdown_text(get_language(), self.level == "overdue", self.hours)


@lru_cache(maxsize=2048)
def _countdown_text(language: str | None, overdue: bool, hours: float) -> str:
    # Called with the active language, which is part of the key: the words and the decimal sign are
    # that language's. A page's 25 countdowns share a handful of values (25 µs each to format).
    shown = formats.number_format(hours if hours % 1 else int(hours))
    if overdue:
        return gettext("Quá hạn %(h)s giờ làm việc") % {"h": shown}
    return gettext("Còn %(h)s giờ làm việc") % {"h": shown}


def agency_deadline(dossier: Dossier) -> datetime | None:
    """The deadline the agency works against now; None while the clock stands (the citizen must act,
    the dossier is suspended or finished)."""
    if dossier.status == DossierStatus.SUBMITTED:
        return dossier.acceptance_due_at
    if dossier.status in (DossierStatus.PROCESSING, DossierStatus.RESULT_READY):
        return dossier.appointment_at
    return None


def countdown(
    dossier: Dossier,
    due: datetime | None,
    *,
    now: datetime,
    calendars: dict[int, Any] | None = None,
    agency: Agency | None = None,
) -> Countdown | None:
    """Working time left until `due` on the calendar of `agency` (the dossier's by default: a
    consultation's deadline runs on the consulted agency's); pass one `calendars` dict for a whole
    page (one query per agency)."""
    if due is None:
        return None
    key = dossier.agency_id if agency is None else agency.pk
    calendars = {} if calendars is None else calendars
    if key not in calendars:
        calendars[key] = calendar_for(dossier.agency if agency is None else agency)
    calendar = calendars[key]
    if due < now:
        return Countdown(remaining=-calendar.working_time_between(due, now), level="overdue")
    left = calendar.working_time_between(now, due)
    return Countdown(remaining=left, level="warning" if left <= ACCEPTANCE_WARNING else "ok")


def dossier_for_officer(*, user: Any, code: str, annotations: dict[str, Any] | None = None) -> Dossier:
    """A sent dossier of the officer's agency by its code; 404 for any other (the same answer as unknown).

    `annotations` are computed in the same query (the officer's page asks there whether the
    dossier has documents, consultations, … before reading each list).
    """
    if "\x00" in (code or ""):  # PostgreSQL refuses to compare text with NUL: a 500 otherwise
        raise Http404(_("Không tìm thấy hồ sơ."))
    dossier = (
        agency_dossiers(user)
        .select_related("procedure_version__procedure", "agency", "applicant", "assignee", "process")
        # The components are read by the page's overview and again by the supplement form: once.
        .prefetch_related("process__steps", "procedure_version__components")
        .annotate(**(annotations or {}))
        .filter(code=(code or "")[:40])
        .first()
    )
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return dossier


def document_for_officer(*, user: Any, document_id: int) -> DossierDocument:
    record = DossierDocument.objects.select_related("dossier").filter(pk=document_id).first()
    if record is None or not _may_see(user, record.dossier):
        raise Http404(_("Không tìm thấy tài liệu."))
    return record


def _may_see(user: Any, dossier: Dossier) -> bool:
    if dossier.status == DossierStatus.DRAFT:
        return False
    return is_system_admin(user) or officer_agency_id(user) == dossier.agency_id


def file_for_officer(*, user: Any, file_id: int) -> DossierFile:
    """A citizen's file: to the handling agency, or to an agency consulted with that file shared."""
    record = DossierFile.objects.select_related("dossier").filter(pk=file_id).first()
    if record is None:
        raise Http404(_("Không tìm thấy tệp."))
    if _may_see(user, record.dossier):
        return record
    agency_id = officer_agency_id(user)
    if agency_id is not None and Consultation.objects.filter(agency_id=agency_id, shared_files=record).exists():
        return record
    raise Http404(_("Không tìm thấy tệp."))


def consultations_for_agency(user: Any, *, open_only: bool = True) -> QuerySet[Consultation]:
    """Xin ý kiến addressed to the officer's agency, the most urgent first."""
    agency_id = officer_agency_id(user)
    if agency_id is None:
        return Consultation.objects.none()
    queryset = Consultation.objects.filter(agency_id=agency_id)
    if open_only:
        queryset = queryset.filter(answered_at__isnull=True)
    return queryset.select_related("agency", "dossier__procedure_version", "dossier__agency", "requested_by").order_by(
        "due_at", "pk"
    )


def consultation_for_officer(*, user: Any, consultation_id: int) -> Consultation:
    """One consultation addressed to the officer's agency; 404 for any other."""
    consultation = (
        consultations_for_agency(user, open_only=False)
        .prefetch_related("shared_files")
        .filter(pk=consultation_id)
        .first()
    )
    if consultation is None:
        raise Http404(_("Không tìm thấy yêu cầu xin ý kiến."))
    return consultation


def officers_for_step(*, agency_id: int, step: StepSpec | None) -> list[Any]:
    """Officers of the agency who can hold `step` (for the "to whom" choice of a hand-off)."""
    from dichvucong.accounts.models import User

    if step is None:
        return []
    if step.officer_id is not None:
        return list(User.objects.filter(pk=step.officer_id, is_active=True))
    people = User.objects.filter(
        is_active=True,
        officer_profile__agency=agency_id,
        officer_profile__is_active=True,
        officer_profile__role_assignments__role=step.role,
    )
    if step.unit_id is not None:
        people = people.filter(officer_profile__unit=step.unit_id)
    return list(people.distinct().order_by("full_name"))


def first_step(*, dossier: Dossier) -> StepSpec | None:
    """The step a dossier goes to when received: its process in force, or the default's first step."""
    process = process_in_force(procedure=dossier.procedure_version.procedure, agency=dossier.agency)
    steps = process_steps(process)
    if steps:
        return steps[0]
    role, name, _share, actions = DEFAULT_STEPS[0]
    return StepSpec(order=1, name=name, role=role, actions=frozenset(actions))


def now() -> datetime:
    return timezone.now()


DESK_PROCEDURE_CHOICES = 200  # the desk's list of procedures; a search narrows a larger catalogue


def desk_procedures(*, agency_id: int, query: str = "") -> list[tuple[int, str]]:
    """(procedure id, "code — name") of the published procedures the agency receives, for the desk form."""
    from dichvucong.catalog.constants import VersionStatus
    from dichvucong.catalog.models import Procedure

    rows = Procedure.objects.filter(
        current_version__receiving_agencies=agency_id, current_version__status=VersionStatus.PUBLISHED
    ).select_related("current_version")
    query = " ".join((query or "").split())[:100]
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(current_version__name__icontains=query))
    rows = rows.order_by("current_version__name", "pk")[:DESK_PROCEDURE_CHOICES]
    return [(p.pk, f"{p.code} — {p.current_version.name}") for p in rows]


def desk_account_find(*, identifier: str) -> Any | None:
    """The active citizen or business account whose CCCD, tax code or phone is `identifier`; None if none or several."""
    from django.core.exceptions import ValidationError

    from dichvucong.accounts.constants import AccountKind
    from dichvucong.accounts.models import User
    from dichvucong.accounts.validators import normalize_phone

    value = "".join((identifier or "").split())[:16]
    if not value:
        return None
    variants = {value}
    with contextlib.suppress(ValidationError):
        variants.add(normalize_phone(value))  # accounts keep phones in +84 form
    found = list(
        User.objects.filter(
            Q(national_id=value) | Q(tax_code=value) | Q(phone__in=variants),
            is_active=True,
            kind__in=(AccountKind.CITIZEN, AccountKind.ORGANISATION, AccountKind.ENTERPRISE),
        )[:2]
    )
    return found[0] if len(found) == 1 else None
