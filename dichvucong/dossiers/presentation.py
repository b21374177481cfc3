"""The two longest lists of dossiers, drawn in Python: the citizen's folder cards and the queues' rows.

They are the biggest part of "Hồ sơ của tôi" and of the back-office queues (core/rows.py says why
and how). The markup is what dossiers/includes/status.html and backoffice/includes/countdown.html
draw for a single dossier elsewhere; both are called from their templates by the tags in
dossier_tags, inside the page's {% timezone %}, so dates show in the page's time zone and words in
the active language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dichvucong.core.rows import row_url
from dichvucong.core.templatetags.formatting import ngay_gio
from dichvucong.dossiers.constants import DossierAction, DossierStatus


def status_badge(dossier: Any, withdrawal_label: str | None = None) -> str:
    """The status as the citizen reads it (dossiers/includes/status.html)."""
    if dossier.withdrawal_requested_at:
        label = withdrawal_label if withdrawal_label is not None else _("Đang đề nghị rút")
        return f'<span class="status status--withdrawal-requested">{conditional_escape(label)}</span>'
    return f'<span class="status status--{escape(dossier.status)}">{escape(dossier.status_label)}</span>'


def countdown_badge(countdown: Any) -> str:
    """backoffice/includes/countdown.html: the working time left, or "—" while the clock stands."""
    if not countdown:
        return "—"
    return f'<span class="countdown countdown--{escape(countdown.level)}">{escape(countdown.text)}</span>'


def _folder_words() -> dict[str, str]:
    return {
        key: escape(text)
        for key, text in {
            "code": _("Mã hồ sơ"),
            "none": _("chưa có"),
            "procedure": _("Mã thủ tục"),
            "agency": _("Cơ quan tiếp nhận"),
            "created": _("Ngày tạo"),
            "submitted": _("Ngày gửi"),
            "received": _("Ngày tiếp nhận"),
            "appointment": _("Ngày hẹn trả"),
            "returned": _("Ngày trả kết quả"),
            "refusal": _("Ý kiến cán bộ tiếp nhận"),
            "asked": _("Nội dung yêu cầu bổ sung"),
            "officer": _("Ý kiến cán bộ"),
            "send": _("Gửi hồ sơ"),
            "edit": _("Sửa hồ sơ"),
            "view": _("Xem hồ sơ"),
            "delete": _("Xóa"),
            "supplement": _("Bổ sung hồ sơ"),
            "history": _("Xem quá trình xử lý hồ sơ"),
            "withdrawal": _("Đang đề nghị rút"),
        }.items()
    }


def _note(note: Any, words: dict[str, str]) -> str:
    """The officer's words a card of "Yêu cầu bổ sung" or "Bị trả lại" shows (its latest such event)."""
    if note.action == DossierAction.REFUSE:
        return f"<p><strong>{words['refusal']}:</strong> {escape(note.comment)}</p>"
    items = "".join(
        f"<li>{escape(item.get('name', ''))}{': ' + escape(item['reason']) if item.get('reason') else ''}</li>"
        for item in (note.data if isinstance(note.data, dict) else {}).get("items", [])
        if isinstance(item, dict)
    )
    comment = f"<p><strong>{words['officer']}:</strong> {escape(note.comment)}</p>" if note.comment else ""
    return f"<p><strong>{words['asked']}:</strong></p><ul>{items}</ul>{comment}"


def _card(dossier: Any, words: dict[str, str]) -> str:
    ref = dossier.code or dossier.pk
    describedby = f'aria-describedby="ho-so-{dossier.pk}"'
    detail = escape(row_url("dossiers:detail", ref))
    if dossier.code:
        code = f"<strong>{escape(dossier.code)}</strong>"
    else:
        code = f'<strong aria-hidden="true">—</strong><span class="visually-hidden">{words["none"]}</span>'
    facts = [
        (words["procedure"], escape(dossier.procedure_version.procedure.code)),
        (words["agency"], escape(dossier.agency.name)),
        (words["created"], ngay_gio(dossier.created_at)),
    ]
    for key, moment in (
        ("submitted", dossier.submitted_at),
        ("received", dossier.received_at),
        ("appointment", dossier.appointment_at),
        ("returned", dossier.returned_at),
    ):
        if moment:
            facts.append((words[key], ngay_gio(moment)))
    notes = getattr(dossier, "notes", None)
    note = f'<div class="dossier-card__note">{_note(notes[0], words)}</div>' if notes else ""
    if dossier.status == DossierStatus.DRAFT:
        review = escape(row_url("dossiers:review", ref))
        edit = escape(row_url("dossiers:edit", ref))
        delete = escape(row_url("dossiers:delete", ref))
        actions = (
            f'<li><a class="button" href="{review}" {describedby}>{words["send"]}</a></li>'
            f'<li><a class="button button--secondary" href="{edit}" {describedby}>{words["edit"]}</a></li>'
            f'<li><a href="{detail}" {describedby}>{words["view"]}</a></li>'
            f'<li><a class="link-danger" href="{delete}" {describedby}>{words["delete"]}</a></li>'
        )
    elif dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        supplement = escape(row_url("dossiers:supplement", ref))
        actions = (
            f'<li><a class="button" href="{supplement}" {describedby}>{words["supplement"]}</a></li>'
            f'<li><a href="{detail}" {describedby}>{words["view"]}</a></li>'
        )
    else:
        actions = (
            f'<li><a href="{detail}" {describedby}>{words["view"]}</a></li>'
            f'<li><a href="{detail}#qua-trinh" {describedby}>{words["history"]}</a></li>'
        )
    return (
        '<li class="dossier-card">'
        '<div class="dossier-card__head">'
        f'<p class="dossier-card__code"><span class="dossier-card__code-label">{words["code"]}:</span> {code}</p>'
        f"{status_badge(dossier, words['withdrawal'])}"
        "</div>"
        f'<h3 class="dossier-card__title" id="ho-so-{dossier.pk}">'
        f'<a href="{detail}">{escape(dossier.procedure_version.name)}</a></h3>'
        '<dl class="dossier-card__facts">'
        + "".join(f"<div><dt>{label}</dt><dd>{value}</dd></div>" for label, value in facts)
        + f'</dl>{note}<ul class="dossier-card__actions">{actions}</ul></li>'
    )


def folder_cards(dossiers: Iterable[Any]) -> SafeString:
    """The cards of one page of a folder (dossiers/folders.html), each dossier as folder_page reads it."""
    words = _folder_words()
    return mark_safe("\n".join(_card(dossier, words) for dossier in dossiers))  # noqa: S308 - every value escaped


def queue_rows(rows: Iterable[dict[str, Any]]) -> SafeString:
    """The <tr> of one page of a back-office queue (backoffice/queues.html): rows as the view makes them."""
    out = []
    for row in rows:
        dossier = row["dossier"]
        assignee = f'<br><span class="hint">{escape(str(dossier.assignee))}</span>' if dossier.assignee else ""
        out.append(
            "<tr>"
            f'<td><a href="{escape(row_url("backoffice:dossier", dossier.code))}">{escape(dossier.code)}</a></td>'
            f"<td>{escape(dossier.procedure_version.name)}</td>"
            f"<td>{escape(dossier.owner_name or '—')}</td>"
            f"<td>{ngay_gio(dossier.submitted_at)}</td>"
            f"<td>{escape(dossier.status_label)}{assignee}</td>"
            f"<td>{countdown_badge(row['countdown'])}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value escaped
