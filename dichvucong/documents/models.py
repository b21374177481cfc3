from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dichvucong.core.models import TimeStampedModel
from dichvucong.documents.constants import IssuedKind, Language, SlipKind


class SigningCredential(TimeStampedModel):
    """A key and certificate of the demo signing provider (dichvucong.documents.signing).

    One row is this installation's demo certificate authority (is_ca, no agency code); the others
    are one signing credential per agency, issued by it. Kept in the database rather than in files so
    that every web and worker process signs with the same key. The private key is stored encrypted
    (Fernet, with a key derived from SECRET_KEY), never in clear: a database dump alone cannot sign.
    """

    agency_code = models.CharField(_("mã cơ quan"), max_length=32, blank=True)
    agency_name = models.CharField(_("tên cơ quan"), max_length=255)
    is_ca = models.BooleanField(_("tổ chức chứng thực"), default=False)
    certificate_pem = models.TextField(_("chứng thư số (PEM)"))
    private_key_encrypted = models.TextField(_("khóa bí mật (đã mã hóa)"))
    certificate_sha256 = models.CharField(_("dấu vân tay SHA-256"), max_length=64)
    not_valid_after = models.DateTimeField(_("hiệu lực đến"))

    class Meta:
        verbose_name = _("khóa ký số thử nghiệm")
        verbose_name_plural = _("khóa ký số thử nghiệm")
        constraints = [
            models.UniqueConstraint(fields=["agency_code"], name="documents_signingcredential_unique_agency"),
            # The CA row has no agency code and every agency row has one: a blank code can never be
            # mistaken for an agency, and there is at most one CA (the unique code "").
            models.CheckConstraint(
                condition=(models.Q(is_ca=True, agency_code="") | (models.Q(is_ca=False) & ~models.Q(agency_code=""))),
                name="documents_signingcredential_ca_has_no_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_name} (CA)" if self.is_ca else f"{self.agency_code} — {self.agency_name}"


class SlipTemplate(models.Model):
    """An administrator's body for one kind of slip in one language (Django template text).

    The national motto header, the agency, the QR code and the footer stay fixed around it
    (documents/slips/page.html); the body replaces documents/slips/<kind>.html while the row is
    active. At most one row is active per kind and language; inactive rows are drafts, previewed
    before they are put to use. What a body may contain: dichvucong.documents.slip_templates.
    """

    kind = models.CharField(_("loại văn bản"), max_length=32, choices=SlipKind)
    language = models.CharField(_("ngôn ngữ"), max_length=8, choices=Language, default=Language.VI)
    body_html = models.TextField(
        _("nội dung (mẫu HTML)"),
        help_text=_(
            "Cú pháp mẫu Django. Chỉ được nạp {% load i18n document_tags %} và chèn mẫu trong thư mục "
            'documents/ (ví dụ {% include "documents/slips/receipt.html" %} để giữ nội dung mặc định).'
        ),
    )
    is_active = models.BooleanField(
        _("đang dùng"),
        default=False,
        help_text=_("Bỏ chọn để quay về mẫu mặc định. Mỗi loại văn bản và ngôn ngữ chỉ có một mẫu đang dùng."),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("mẫu văn bản một cửa")
        verbose_name_plural = _("mẫu văn bản một cửa")
        ordering = ("kind", "language", "-is_active", "-updated_at")
        constraints = [
            models.UniqueConstraint(
                fields=("kind", "language"),
                condition=models.Q(is_active=True),
                name="documents_sliptemplate_one_active",
                violation_error_message=_(
                    "Đã có một mẫu đang dùng cho loại văn bản và ngôn ngữ này: bỏ chọn “đang dùng” ở mẫu đó trước."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.language}"

    def clean(self) -> None:
        from dichvucong.documents.slip_templates import slip_template_problems

        if self.kind in SlipKind.values:
            problems = slip_template_problems(self.body_html or "", kind=self.kind)
            if problems:
                raise ValidationError({"body_html": problems})


def _public_token() -> str:
    # 128 random bits, URL-safe: the id printed in the QR code cannot be guessed nor counted through.
    return secrets.token_urlsafe(16)


class IssuedDocument(models.Model):
    """One PDF handed out by the portal, as the public verification page (/xac-thuc/<id>/) knows it.

    A slip is re-rendered at every download (its print time changes, so do its bytes): each download
    is one row, recorded for the exact bytes handed out. The id is drawn before rendering (the QR code
    carries it), the SHA-256 after. Nothing here is personal beyond what the document prints, and the
    holder's name is kept masked, as the public look-up shows it.
    """

    public_id = models.CharField(_("mã xác thực"), max_length=32, unique=True, default=_public_token, editable=False)
    kind = models.CharField(_("loại văn bản"), max_length=32, choices=IssuedKind)
    agency_code = models.CharField(_("mã cơ quan"), max_length=32)
    agency_name = models.CharField(_("cơ quan ban hành"), max_length=255)
    reference = models.CharField(_("mã hồ sơ hoặc số biên lai"), max_length=64, blank=True)
    holder_masked = models.CharField(_("chủ hồ sơ (đã che)"), max_length=255, blank=True)
    # The issuing side's own key (dossier pk, payment pk…): lets it find its rows, never shown.
    source = models.CharField(_("nguồn"), max_length=64, blank=True, db_index=True)
    issued_at = models.DateTimeField(_("phát hành lúc"), default=timezone.now)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    is_signed = models.BooleanField(_("đã ký số"), default=False)
    signer_name = models.CharField(_("người ký"), max_length=255, blank=True)
    signer_organisation = models.CharField(_("đơn vị ký"), max_length=255, blank=True)
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    signature_status = models.CharField(_("kết quả kiểm tra chữ ký"), max_length=16, blank=True)
    signature_summary = models.CharField(_("nhận xét về chữ ký"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("văn bản đã phát hành")
        verbose_name_plural = _("văn bản đã phát hành")
        ordering = ("-issued_at", "-pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.reference or self.public_id}"

    def get_absolute_url(self) -> str:
        return reverse("documents:verify", kwargs={"public_id": self.public_id})
