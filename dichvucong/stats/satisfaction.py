"""Đánh giá mức độ hài lòng: the criteria a citizen rates a returned dossier on, as data.

Modelled on the national portal's rating of a dossier (three levels per criterion); verify the
criteria and their wording against the current national portal before publishing figures.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LEVEL_VERY_SATISFIED = 3
LEVEL_SATISFIED = 2
LEVEL_UNSATISFIED = 1
LEVELS = (
    (LEVEL_VERY_SATISFIED, _("Rất hài lòng")),
    (LEVEL_SATISFIED, _("Hài lòng")),
    (LEVEL_UNSATISFIED, _("Không hài lòng")),
)
CRITERIA = (
    ("tiep_nhan", _("Việc tiếp nhận, hướng dẫn hồ sơ")),
    ("thai_do", _("Thái độ, tinh thần phục vụ của cán bộ")),
    ("thoi_gian", _("Thời gian giải quyết so với ngày hẹn trả")),
    ("cong_khai", _("Thông tin, thủ tục được công khai đầy đủ")),
    ("ket_qua", _("Kết quả giải quyết")),
)
CRITERION_KEYS = tuple(key for key, _label in CRITERIA)
