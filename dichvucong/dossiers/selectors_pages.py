"""Reads for the citizen's pages: "Hồ sơ của tôi" (the folders) and the page of one dossier.

Each page costs a fixed number of queries whatever the number of dossiers, events or files: a
folder is one query for its page (the count comes from `folder_counts`, already on the page), plus
one for the officers' words in the two folders that show them; a dossier page is the dossier, its
components, its files and its events, four queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from dichvucong.accounts.validators import local_phone
from dichvucong.catalog.eforms import display_rows
from dichvucong.catalog.models import DossierComponent
from dichvucong.core.addresses import format_address
from dichvucong.core.pagination import KeysFirstPaginator
from dichvucong.dossiers.constants import CitizenFolder, DossierAction, DossierStatus, ResultDelivery
from dichvucong.dossiers.files import KINDS, human_size
from dichvucong.dossiers.models import Dossier, DossierEvent, DossierFile
from dichvucong.dossiers.selectors import (
    dossier_components,
    dossier_events,
    dossier_files,
    dossiers_for_applicant,
    last_event,
)
from dichvucong.dossiers.services import ACTOR_OFFICER, TRANSITIONS, withdraw_is_immediate

FOLDER_PAGE_SIZE = 20
# The seeds read the officer's words in the list itself: "Nội dung yêu cầu bổ sung" in Hồ sơ yêu
# cầu bổ sung, "Ý kiến cán bộ tiếp nhận" in Hồ sơ bị trả lại. The row shows the latest such event.
FOLDER_NOTE_ACTIONS: dict[str, str] = {
    CitizenFolder.SUPPLEMENT: DossierAction.REQUEST_SUPPLEMENT,
    CitizenFolder.REFUSED: DossierAction.REFUSE,
}

WITHDRAW_NOW = "withdraw"  # before reception: the dossier is withdrawn at once
WITHDRAW_REQUEST = "request"  # after reception: a request the agency answers


# --- Folders --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FolderTab:
    value: str
    label: str
    count: int
    current: bool


def folder_choose(*, requested: str | None, counts: dict[str, int]) -> str:
    """The folder asked for, or the default: drafts if any, else the first folder with dossiers.

    Whatever arrives in `?thu-muc=` (an old bookmark, a typo, an attack) gives a page, never an error.
    """
    if requested in CitizenFolder.values:
        return requested
    if counts.get(CitizenFolder.DRAFT):
        return CitizenFolder.DRAFT.value
    for folder in CitizenFolder:
        if counts.get(folder):
            return folder.value
    return CitizenFolder.DRAFT.value


def folder_tabs(*, counts: dict[str, int], current: str) -> list[FolderTab]:
    return [
        FolderTab(value=folder.value, label=str(folder.label), count=counts.get(folder, 0), current=folder == current)
        for folder in CitizenFolder
    ]


# What a folder card shows (dossiers/folders.html and its status badge).
FOLDER_ROW_FIELDS = (
    "code",
    "status",
    "withdrawal_requested_at",
    "created_at",
    "submitted_at",
    "received_at",
    "appointment_at",
    "returned_at",
    "procedure_version__name",
    "procedure_version__procedure__code",
    "agency__name",
)


def folder_page(*, user: AbstractBaseUser, folder: str, count: int, page_number: Any) -> Page:
    """One page of the folder, newest first; a page number out of range or not a number gives a real page.

    `count` is the folder's figure from `folder_counts`: the paginator takes it instead of asking
    the database again (a dossier sent in between shows up on the next page load).
    """
    queryset = dossiers_for_applicant(user=user, folder=folder)
    # The rows carry only what a card shows (FOLDER_ROW_FIELDS): not the declaration nor the
    # procedure's e-form, JSON decoded for every card otherwise.
    shown = Dossier.objects.select_related("procedure_version__procedure", "agency").only(*FOLDER_ROW_FIELDS)
    action = FOLDER_NOTE_ACTIONS.get(folder)
    if action is not None:
        # One more query for the page, whatever its size: the officer's words the row shows.
        notes = DossierEvent.objects.filter(action=action).order_by("-sequence")
        shown = shown.prefetch_related(Prefetch("events", queryset=notes, to_attr="notes"))
    paginator = KeysFirstPaginator(queryset, FOLDER_PAGE_SIZE, rows=shown)
    paginator.count = count  # a cached_property: set, it saves the COUNT(*) query
    page = paginator.get_page(page_number)
    if action is None:
        # Every card asks for its note: an attribute that is there answers at once, a missing one
        # walks the template engine's whole lookup chain (45 µs a card).
        for dossier in page.object_list:
            dossier.notes = []
    return page


# --- One dossier ----------------------------------------------------------------------------------
@dataclass
class TimelineEntry:
    """One event of "Xem quá trình xử lý hồ sơ", ready to show."""

    event: DossierEvent
    who: str
    by_officer: bool
    status_changed: bool
    comment_label: str
    # A supplement request: what was asked; a supplement: the files sent and the declaration's changes.
    items: list[dict[str, Any]] = field(default_factory=list)
    files: list[DossierFile] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    # A supplement the one-stop desk received on paper for the owner (services.desk_receives_supplement).
    at_desk: bool = False


@dataclass
class DossierPage:
    dossier: Dossier
    components: list[DossierComponent]
    timeline: list[TimelineEntry]
    declaration: list[tuple[str, list[tuple[str, str]]]]
    owner: list[tuple[str, str]]
    post_address: str
    refusal: DossierEvent | None
    supplement: DossierEvent | None
    withdraw_mode: str | None
    lookup_url: str
    events: list[DossierEvent] = field(default_factory=list)  # every event, for the slips offered
    files: list[DossierFile] = field(default_factory=list)  # every file, also those of no component


def withdraw_mode(dossier: Dossier) -> str | None:
    """How the applicant can withdraw now: at once, by a request, or not at all (final, or already asked)."""
    if withdraw_is_immediate(dossier):
        return WITHDRAW_NOW
    if dossier.status in TRANSITIONS[DossierAction.REQUEST_WITHDRAWAL].from_statuses:
        return WITHDRAW_REQUEST if dossier.withdrawal_requested_at is None else None
    return None


def withdraw_unavailable_reason(dossier: Dossier) -> str:
    """Why the applicant cannot withdraw now (withdraw_mode is None), in the words of the page and the API."""
    if dossier.withdrawal_requested_at is not None:
        return _("Bạn đã đề nghị rút hồ sơ này; vui lòng chờ cơ quan trả lời.")
    return _("Hồ sơ đang ở trạng thái “%(status)s”, không thể rút.") % {"status": dossier.get_status_display()}


def lookup_url(dossier: Dossier) -> str:
    """The public look-up of a sent dossier (`/tra-cuu/?ma=…`); empty for a draft, which has no code."""
    return f"{reverse('portal:lookup')}?{urlencode({'ma': dossier.code})}" if dossier.code else ""


def owner_lines(dossier: Dossier) -> list[tuple[str, str]]:
    """The owner (chủ hồ sơ) as (label, value) lines, for the page and for the printed declaration."""
    lines = [
        (_("Họ và tên"), dossier.owner_name),
        (_("Số CCCD"), dossier.owner_national_id),
        (_("Số điện thoại"), local_phone(dossier.owner_phone) if dossier.owner_phone else ""),
        (_("Thư điện tử"), dossier.owner_email),
        (
            _("Địa chỉ"),
            format_address(dossier.owner_street_address, dossier.owner_ward_code, dossier.owner_province_code),
        ),
    ]
    return [(label, value) for label, value in lines if value]


def declaration_rows(dossier: Dossier, payload: dict[str, Any] | None = None) -> list[tuple[str, list]]:
    """The declaration (tờ khai) as [(section, [(label, value)])]; empty when the version has none."""
    definition = dossier.procedure_version.eform or {}
    if not definition.get("sections"):
        return []
    data = dossier.eform_data if payload is None else payload
    return display_rows(definition, data if isinstance(data, dict) else {})


def declaration_changes(dossier: Dossier, before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(label, before, after) for each answer a supplement changed, in the order of the form."""

    def flat(payload: Any) -> dict[tuple[str, str], str]:
        rows = declaration_rows(dossier, payload if isinstance(payload, dict) else {})
        return {(section, label): value for section, lines in rows for label, value in lines}

    old, new = flat(before), flat(after)
    keys = list(new) + [key for key in old if key not in new]  # an answer removed still shows
    return [(key[1], old.get(key, ""), new.get(key, "")) for key in keys if old.get(key) != new.get(key)]


def _annotate_files(components: list[DossierComponent]) -> dict[int, DossierFile]:
    by_id: dict[int, DossierFile] = {}
    for component in components:
        for record in [*component.current_files, *component.replaced_files]:
            record.size_label = human_size(record.size)
            record.kind_label = KINDS[record.kind].label if record.kind in KINDS else record.kind.upper()
            by_id[record.pk] = record
    return by_id


def _timeline(
    *, dossier: Dossier, events: list[DossierEvent], viewer: AbstractBaseUser, files: dict[int, DossierFile]
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    request: DossierEvent | None = None
    for event in events:
        rule = TRANSITIONS.get(event.action)
        data = event.data if isinstance(event.data, dict) else {}
        at_desk = event.action == DossierAction.SUBMIT_SUPPLEMENT and bool(data.get("at_desk"))
        by_officer = at_desk or (rule is not None and rule.actor == ACTOR_OFFICER)
        if event.actor_id is not None and event.actor_id == viewer.pk:
            who = _("Bạn")
        else:
            who = event.actor_label or (_("Cán bộ") if by_officer else _("Người nộp hồ sơ"))
        if by_officer:
            comment_label = _("Ý kiến cán bộ")
        elif event.action in (DossierAction.WITHDRAW, DossierAction.REQUEST_WITHDRAWAL):
            comment_label = _("Lý do")
        else:
            comment_label = _("Ghi chú")
        entry = TimelineEntry(
            event=event,
            who=who,
            by_officer=by_officer,
            status_changed=event.from_status != event.to_status,
            comment_label=comment_label,
            at_desk=at_desk,
        )
        if event.action == DossierAction.REQUEST_SUPPLEMENT:
            request = event
            entry.items = [item for item in data.get("items", []) if isinstance(item, dict)]
        elif event.action == DossierAction.SUBMIT_SUPPLEMENT:
            entry.files = [files[pk] for pk in data.get("files", []) if pk in files]
            before = request.data.get("eform_before") if request is not None else None
            if before is not None and "eform_after" in data:
                entry.changes = declaration_changes(dossier, before, data["eform_after"])
        entries.append(entry)
    return entries


def dossier_page(*, dossier: Dossier, viewer: AbstractBaseUser) -> DossierPage:
    """Everything the dossier page shows, in three queries besides the dossier itself."""
    all_files = dossier_files(dossier=dossier)
    components = dossier_components(dossier=dossier, files=all_files)
    files = _annotate_files(components)
    events = dossier_events(dossier=dossier)
    status = dossier.status
    post_address = ""
    if dossier.result_delivery == ResultDelivery.BY_POST:
        post_address = format_address(dossier.post_street_address, dossier.post_ward_code, dossier.post_province_code)
    return DossierPage(
        dossier=dossier,
        components=components,
        timeline=_timeline(dossier=dossier, events=events, viewer=viewer, files=files),
        declaration=declaration_rows(dossier),
        owner=owner_lines(dossier),
        post_address=post_address,
        refusal=last_event(events=events, action=DossierAction.REFUSE) if status == DossierStatus.REFUSED else None,
        supplement=(
            last_event(events=events, action=DossierAction.REQUEST_SUPPLEMENT)
            if status == DossierStatus.SUPPLEMENT_REQUESTED
            else None
        ),
        withdraw_mode=withdraw_mode(dossier),
        lookup_url=lookup_url(dossier),
        events=events,
        files=all_files,
    )


def declaration_arguments(*, dossier: Dossier, printed_at: datetime) -> dict[str, Any]:
    """The keyword arguments of `documents.declaration.declaration_pdf` for this dossier."""
    version = dossier.procedure_version
    components = dossier_components(dossier=dossier)
    qr_url = f"{settings.PORTAL_BASE_URL}{lookup_url(dossier)}" if dossier.code else None
    return {
        "title": (version.eform or {}).get("title") or version.name,
        "procedure_name": version.name,
        "procedure_code": version.procedure.code,
        "agency_name": dossier.agency.name,
        "rows": declaration_rows(dossier),
        "owner": owner_lines(dossier),
        "dossier_code": dossier.code,
        "qr_url": qr_url,
        "submitted_at": dossier.submitted_at,
        "place": settings.PORTAL_PROVINCE,
        "printed_at": printed_at,
        "components": [(c.name, [f.name for f in c.current_files]) for c in components],
    }
