from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dichvucong.dossiers.constants import DossierAction, DossierStatus, IntakeChannel, ResultDelivery


class Dossier(models.Model):
    """One application (hồ sơ) by one applicant for one procedure version at one receiving agency.

    `status` is a denormalised copy of the last event's `to_status`; the truth is the event list
    (CONVENTIONS #3). Only services.dossier_transition changes it (CONVENTIONS #1). The procedure
    version is pinned so the dossier keeps meaning what it meant when it was filed.
    """

    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("thủ tục (phiên bản)"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan tiếp nhận"), on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nộp"), on_delete=models.PROTECT, related_name="dossiers"
    )
    # Chủ hồ sơ: the person the dossier is about, often but not always the applicant (a parent
    # files a birth registration). Prefilled from the account, then the applicant's to edit.
    owner_name = models.CharField(_("họ và tên chủ hồ sơ"), max_length=255, blank=True)
    owner_national_id = models.CharField(_("số CCCD chủ hồ sơ"), max_length=12, blank=True)
    owner_phone = models.CharField(_("số điện thoại chủ hồ sơ"), max_length=16, blank=True)
    owner_email = models.EmailField(_("thư điện tử chủ hồ sơ"), blank=True)
    owner_province_code = models.PositiveIntegerField(_("tỉnh/thành phố"), null=True, blank=True)
    owner_ward_code = models.PositiveIntegerField(_("xã/phường"), null=True, blank=True)
    owner_street_address = models.CharField(_("số nhà, đường, thôn/tổ"), max_length=255, blank=True)
    result_delivery = models.CharField(
        _("hình thức nhận kết quả"), max_length=16, choices=ResultDelivery, default=ResultDelivery.AT_DESK
    )
    post_recipient_name = models.CharField(_("người nhận (bưu điện)"), max_length=255, blank=True)
    post_recipient_phone = models.CharField(_("điện thoại người nhận (bưu điện)"), max_length=16, blank=True)
    post_province_code = models.PositiveIntegerField(_("tỉnh/thành phố nhận"), null=True, blank=True)
    post_ward_code = models.PositiveIntegerField(_("xã/phường nhận"), null=True, blank=True)
    post_street_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=255, blank=True)
    notify_by_sms = models.BooleanField(_("nhận thông báo qua SMS"), default=True)
    channel = models.CharField(
        _("kênh tiếp nhận"), max_length=16, choices=IntakeChannel, default=IntakeChannel.ONLINE, db_index=True
    )
    eform_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=32, choices=DossierStatus, default=DossierStatus.DRAFT, db_index=True
    )
    # NULL until sent, so the unique constraint holds only for sent dossiers.
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    # After reception a withdrawal is a request the agency answers; set while it waits for that answer.
    withdrawal_requested_at = models.DateTimeField(_("đề nghị rút hồ sơ lúc"), null=True, blank=True)
    # The back office (DESIGN §3, §4): the acceptance deadline (8 working hours after sending), the
    # process the dossier was received under, its current step, who holds it and when that step is due.
    acceptance_due_at = models.DateTimeField(_("hạn tiếp nhận"), null=True, blank=True)
    process = models.ForeignKey(
        "workflow.ProcessDefinition",
        verbose_name=_("quy trình xử lý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    step_order = models.PositiveSmallIntegerField(_("bước hiện tại"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ đang xử lý"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
    )
    step_started_at = models.DateTimeField(_("bắt đầu bước lúc"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    refusal_proposed = models.BooleanField(_("đã đề xuất từ chối"), default=False)
    # The first appointment date, kept when an extension (văn bản xin lỗi) sets a new one: statistics
    # count lateness against it.
    original_appointment_at = models.DateTimeField(_("ngày hẹn trả ban đầu"), null=True, blank=True)
    # How many supplements the citizen has sent: the round of the files each one added.
    supplement_round = models.PositiveSmallIntegerField(_("số lần bổ sung"), default=0)
    # Optimistic concurrency: a form carries the version it was drawn from, so a click on a page
    # that is out of date (another tab, an officer acting meanwhile) is refused instead of applied.
    version = models.PositiveIntegerField(_("phiên bản dữ liệu"), default=1, editable=False)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ("-created_at", "-pk")
        indexes = [
            # "Hồ sơ của tôi": one applicant's dossiers by folder, newest first.
            # The folder counts and the page's keys read only this index (PostgreSQL, once vacuumed):
            # with 1,000 dossiers an applicant's count visited 1,000 heap pages.
            models.Index(
                fields=("applicant", "status", "-created_at"),
                include=("channel", "id"),
                name="dossier_applicant_folders",
            ),
            # The back office queues: one agency's dossiers by status, by deadline. The tab counts
            # read only this index: every column they test is in it (5,000 heap pages otherwise).
            models.Index(
                fields=("agency", "status", "appointment_at"),
                include=("id", "assignee", "process", "step_order", "submitted_at"),
                name="dossier_agency_queue_counts",
            ),
            # "Tất cả hồ sơ" (newest sent first) and its searches: the page's 25 keys come in order
            # from this index instead of sorting the agency's 5,000 rows (21 ms at 1,000,000 dossiers).
            # Drafts (submitted_at NULL) sort first in a descending scan; `status` rejects them here.
            models.Index(fields=("agency", "submitted_at", "id"), include=("status",), name="dossier_agency_submitted"),
            models.Index(fields=("agency", "status", "acceptance_due_at"), name="dossier_acceptance_queue"),
            models.Index(fields=("agency", "status", "step_due_at"), name="dossier_step_queue"),
            models.Index(fields=("assignee", "status", "step_due_at"), name="dossier_assignee_queue"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk} ({self.get_status_display()})"

    @property
    def status_label(self) -> str:
        """get_status_display() for lists: the enum's label (3 µs) instead of a hashed copy of every
        choice made on each call (39 µs; 25 rows a queue page)."""
        return str(DossierStatus(self.status).label)


class DossierEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("DossierEvent rows are append-only; they cannot be updated.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise TypeError("DossierEvent rows are append-only; they cannot be updated.")


class DossierEvent(models.Model):
    """One change of a dossier, append-only, chained by SHA-256 (DESIGN §10).

    Each event's `hash` covers its own fields and the previous event's hash, so editing or
    deleting any past event breaks every hash after it; services.dossier_events_verify checks it.
    """

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField(_("số thứ tự"))
    action = models.CharField(_("thao tác"), max_length=32, choices=DossierAction)
    from_status = models.CharField(_("từ trạng thái"), max_length=32, choices=DossierStatus)
    to_status = models.CharField(_("sang trạng thái"), max_length=32, choices=DossierStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The name at the time of the event: the history must read the same after an account changes.
    actor_label = models.CharField(_("người thực hiện (tên)"), max_length=255, blank=True)
    comment = models.TextField(_("ghi chú"), blank=True)
    # Set by the service before hashing (not auto_now_add, which would run after the hash).
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    data = models.JSONField(_("dữ liệu kèm theo"), default=dict, blank=True)
    previous_hash = models.CharField(_("mã băm sự kiện trước"), max_length=64, blank=True)
    hash = models.CharField(_("mã băm"), max_length=64, unique=True)

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("lịch sử hồ sơ")
        verbose_name_plural = _("lịch sử hồ sơ")
        ordering = ("dossier", "sequence")
        constraints = [
            models.UniqueConstraint(fields=("dossier", "sequence"), name="dossier_event_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.sequence} {self.action}: {self.from_status} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only (CONVENTIONS #3): an event, once written, is evidence.
        if not self._state.adding:
            raise TypeError("DossierEvent rows are append-only; an existing event cannot be saved again.")
        super().save(*args, **kwargs)

    def canonical_payload(self) -> bytes:
        """The bytes the hash covers: sorted-key JSON, UTC timestamps to the microsecond.

        `actor_id` is left out on purpose: deleting an account sets it to NULL (SET_NULL), which
        must not look like tampering; `actor_label` keeps who it was, and is covered.
        """
        created_at = self.created_at.astimezone(UTC).isoformat(timespec="microseconds")
        payload = {
            "dossier": self.dossier_id,
            "sequence": self.sequence,
            "action": self.action,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "actor_label": self.actor_label,
            "comment": self.comment,
            "created_at": created_at,
            "data": self.data,
            "previous_hash": self.previous_hash,
        }
        return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical_payload()).hexdigest()


class DossierCodeCounter(models.Model):
    """The last sequence number given per agency per day; the locked row serialises code issuing."""

    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("ngày"))
    last_value = models.PositiveIntegerField(_("số cuối đã cấp"), default=0)

    class Meta:
        verbose_name = _("bộ đếm mã hồ sơ")
        verbose_name_plural = _("bộ đếm mã hồ sơ")
        constraints = [models.UniqueConstraint(fields=("agency", "day"), name="dossier_code_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%Y-%m-%d}: {self.last_value}"


def _attachment_path(instance: DossierFile, filename: str) -> str:
    # The stored name never contains what the citizen called the file: a random name under the
    # month keeps directories small and makes paths unguessable; the display name is a field.
    now = timezone.now()
    return f"dossiers/{now:%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class DossierFile(models.Model):
    """A file attached to a dossier for one of its components (thành phần hồ sơ).

    Files of a sent dossier are evidence and never change: a supplement adds new rows and marks
    the ones they replace (`replaced_at`), so the history shows both versions. A file reused from
    an earlier dossier points at the same stored blob (`reused_from`); the blob is deleted only
    when no row refers to it any more.
    """

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey(
        "catalog.DossierComponent",
        verbose_name=_("thành phần hồ sơ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("tệp"), upload_to=_attachment_path, max_length=255)
    name = models.CharField(_("tên tệp"), max_length=255)
    extension = models.CharField(_("phần mở rộng"), max_length=8)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    kind = models.CharField(_("loại tệp"), max_length=16)
    is_signed_pdf = models.BooleanField(_("PDF có chữ ký số"), default=False)
    signature_count = models.PositiveSmallIntegerField(_("số chữ ký số"), default=0)
    # 0 for the files sent with the dossier, n for those sent with the n-th supplement.
    round = models.PositiveSmallIntegerField(_("lần nộp"), default=0)
    replaced_at = models.DateTimeField(_("được thay thế lúc"), null=True, blank=True)
    # Scanned at the one-stop desk from the paper the citizen brought or posted (số hóa).
    digitised = models.BooleanField(_("bản số hóa tại Bộ phận Một cửa"), default=False)
    reused_from = models.ForeignKey(
        "self", verbose_name=_("dùng lại từ"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ("dossier", "component__order", "component_id", "created_at", "pk")
        indexes = [models.Index(fields=("dossier", "component"), name="dossier_file_component")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None


class DocumentKind(models.TextChoices):
    RESULT = "result", _("Kết quả giải quyết")
    OFFICER = "officer", _("Tài liệu của cán bộ")


def _document_path(instance: DossierDocument, filename: str) -> str:
    now = timezone.now()
    return f"documents/{now:%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class DossierDocument(models.Model):
    """A document the agency adds to a dossier: the result (ký số) or a file an officer joins to a move.

    Kept with its SHA-256 like every file (DESIGN §10); `public_id` is what the QR code of a result
    carries to the public verification page, so nobody can enumerate documents by number.
    """

    public_id = models.UUIDField(_("mã công khai"), default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("loại tài liệu"), max_length=16, choices=DocumentKind)
    file = models.FileField(_("tệp"), upload_to=_document_path, max_length=255)
    name = models.CharField(_("tên tệp"), max_length=255)
    extension = models.CharField(_("phần mở rộng"), max_length=8)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    is_signed = models.BooleanField(_("đã ký số"), default=False)
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=255, blank=True)
    # A result replaced by a corrected one stays in the history.
    replaced_at = models.DateTimeField(_("được thay thế lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("tài liệu của cơ quan")
        verbose_name_plural = _("tài liệu của cơ quan")
        ordering = ("dossier", "created_at", "pk")

    def __str__(self) -> str:
        return self.name


class Consultation(models.Model):
    """Xin ý kiến: the handling agency asks another agency about a dossier (DESIGN §2, officers 4).

    The consulted agency sees only the question and the files shared with it, answers within its own
    allotted working time, and the answer joins the dossier's history.
    """

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="consultations"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan được xin ý kiến"), on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("nội dung xin ý kiến"))
    shared_files = models.ManyToManyField(DossierFile, verbose_name=_("tệp được chia sẻ"), blank=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người xin ý kiến"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("xin ý kiến lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    answer = models.TextField(_("ý kiến trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("xin ý kiến")
        verbose_name_plural = _("xin ý kiến")
        ordering = ("due_at", "pk")
        indexes = [models.Index(fields=("agency", "answered_at", "due_at"), name="consultation_queue")]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.agency_id}"
