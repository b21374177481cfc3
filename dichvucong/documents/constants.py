from django.db import models
from django.utils.translation import gettext_lazy as _


class SlipKind(models.TextChoices):
    """The standard one-stop documents (Circular 01/2018/TT-VPCP, forms 01–06, and the stop notice)."""

    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận, giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    STOP_NOTICE = "stop_notice", _("Thông báo dừng giải quyết hồ sơ")
    CONTROL = "control", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    TRACKING_BOOK = "tracking_book", _("Sổ theo dõi hồ sơ")
    PAYMENT_RECEIPT = "payment_receipt", _("Biên lai thanh toán")


class Timeliness(models.TextChoices):
    """How a hand-off of the control slip (or a returned dossier) stands against its due time."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Language(models.TextChoices):
    VI = "vi", _("Tiếng Việt")
    EN = "en", _("English")


class IssuedKind(models.TextChoices):
    """What an issued PDF is, as the public verification page names it (the slips, and the rest)."""

    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận, giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    STOP_NOTICE = "stop_notice", _("Thông báo dừng giải quyết hồ sơ")
    CONTROL = "control", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    PAYMENT_RECEIPT = "payment_receipt", _("Biên lai thanh toán")
    DECLARATION = "declaration", _("Tờ khai")
    RESULT = "result", _("Kết quả giải quyết hồ sơ (đã ký số)")
