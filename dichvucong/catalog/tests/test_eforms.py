"""The e-form engine: definitions, rendering, validation, payloads and the admin preview.

The five demo e-forms are the main fixtures: each is rendered, checked for accessible labels, and
filled in the way a citizen would, with the POST data a browser sends (strings, prefix "tk").
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.catalog.eforms import (
    MAX_PROBLEMS,
    EFormDefinitionError,
    build_form,
    display_rows,
    payload_problems,
    validate_definition,
)
from dichvucong.core.testing.personas import force_login_verified

EFORMS_DIR = Path(__file__).resolve().parents[1] / "demo_data" / "eforms"
DEMO_EFORMS = (
    "dang_ky_khai_sinh",
    "dang_ky_ket_hon",
    "cap_phieu_ly_lich_tu_phap",
    "dang_ky_ho_kinh_doanh",
    "chung_thuc_ban_sao",
)
HUE, HA_NOI = 46, 1
AN_CUU, KIM_LONG = 19815, 19810  # wards of Thành phố Huế
BA_DINH_HA_NOI = 4  # a ward of Thành phố Hà Nội


def load(name: str) -> dict[str, Any]:
    return json.loads((EFORMS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def address(key: str, *, province: int = HUE, ward: int = AN_CUU, street: str = "12 Lê Lợi") -> dict[str, str]:
    return {f"tk-{key}-province": str(province), f"tk-{key}-ward": str(ward), f"tk-{key}-street": street}


def address_payload(*, province: int = HUE, ward: int = AN_CUU, street: str = "12 Lê Lợi") -> dict[str, Any]:
    return {"province_code": province, "ward_code": ward, "street": street}


def one_field(**field: Any) -> dict[str, Any]:
    """A definition with a single field (name "x" unless given), for the rules one at a time."""
    return {"version": 1, "title": "Thử", "sections": [{"title": "Phần", "fields": [{"name": "x", **field}]}]}


def errors_of(definition: dict[str, Any], data: dict[str, str]) -> dict[str, list[str]]:
    form = build_form(definition, data=data)
    assert not form.is_valid()
    return {key: [str(e) for e in errors] for key, errors in form.errors.items()}


def render(form: Any) -> str:
    return render_to_string("catalog/eform/form.html", {"form": form})


class _Markup(HTMLParser):
    """Inputs, the labels that point at them, and the text of labels, legends, captions and headers."""

    LABELISH = ("label", "legend", "caption", "th")

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.label_for: dict[str, str] = {}
        self.texts: list[str] = []
        self.selected: dict[str, str] = {}  # select name → value of its selected option
        self._select = ""
        self._open: list[tuple[str, dict[str, str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "select":
            self._select = attributes.get("name", "")
        if tag == "option" and "selected" in attributes:
            self.selected[self._select] = attributes.get("value", "")
        if tag in ("input", "select", "textarea"):
            attributes["_tag"] = tag
            attributes["_in_label"] = "yes" if any(t == "label" for t, _a, _b in self._open) else ""
            self.inputs.append(attributes)
        if tag in self.LABELISH:
            self._open.append((tag, attributes, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.LABELISH and self._open and self._open[-1][0] == tag:
            _tag, attributes, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            self.texts.append(text)
            if tag == "label" and attributes.get("for"):
                self.label_for[attributes["for"]] = text
            for _t, _a, outer in self._open:
                outer.append(" " + text + " ")

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def parse(html: str) -> _Markup:
    markup = _Markup()
    markup.feed(html)
    return markup


def all_fields(definition: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(field, its group or None) for every field of a definition, sub-fields included."""
    result = []
    for section in definition["sections"]:
        for item in section["fields"]:
            result.append((item, None))
            result.extend((child, item) for child in item.get("fields", ()))
    return result


# --- The five demo e-forms -----------------------------------------------------------------------


@pytest.mark.parametrize("name", DEMO_EFORMS)
def test_demo_eform_is_a_valid_definition(name):
    assert validate_definition(load(name)) == []


@pytest.mark.parametrize("name", DEMO_EFORMS)
def test_demo_eform_renders_every_label_with_required_marks_and_labelled_inputs(name):
    definition = load(name)
    markup = parse(render(build_form(definition)))
    texts = " | ".join(markup.texts)

    def marked(label: str) -> bool:
        """Whether a label, legend, caption or header shows `label` with (*)."""
        return any(t.startswith(f"{label} (*)") for t in markup.texts)

    for field, group in all_fields(definition):
        label, required = field["label"], field.get("required", False)
        assert label in texts, label
        if group is not None:
            assert marked(label) == required, label  # the column header
        elif field["type"] == "group":
            assert marked(label) == (field.get("min_rows", 1 if required else 0) > 0), label  # the caption
        elif field["type"] == "address":
            assert marked(label) == required, label  # the legend
            assert ("(*)" in markup.label_for[f"id_tk-{field['name']}-province"]) == required
        elif field.get("widget") == "radio" or (field["type"] == "yesno" and not field.get("accept")):
            assert marked(label) == required, label  # the legend of the radio buttons
        else:
            text = markup.label_for[f"id_tk-{field['name']}"]
            assert text.startswith(label), text
            assert ("(*)" in text) == required, text

    visible = [i for i in markup.inputs if i.get("type") not in ("hidden", "submit", "button")]
    assert visible
    for element in visible:
        assert element.get("id"), element
        assert element["id"] in markup.label_for or element["_in_label"], f"no label for {element['id']}"


def khai_sinh_data() -> dict[str, str]:
    return {
        "tk-ho_ten_nguoi_yeu_cau": "Nguyễn Văn Hùng",
        **address("noi_cu_tru_nguoi_yeu_cau", street="25 Nguyễn Huệ"),
        "tk-loai_giay_to_nguoi_yeu_cau": "cccd",
        "tk-so_dinh_danh_nguoi_yeu_cau": "046 090 001 234",
        "tk-so_giay_to_nguoi_yeu_cau": "B1234567",  # typed, then "Căn cước" chosen: does not apply
        "tk-ngay_cap_nguoi_yeu_cau": "15/04/2021",
        "tk-noi_cap_nguoi_yeu_cau": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "tk-quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
        "tk-ho_ten_tre": "Nguyễn Minh An",
        "tk-ngay_sinh": "2024-09-05",
        "tk-gioi_tinh": "nam",
        "tk-dan_toc": "Kinh",
        "tk-quoc_tich": "Việt Nam",
        **address("noi_sinh", street="Bệnh viện Trung ương Huế"),
        "tk-que_quan": "Phường Kim Long, Thành phố Huế",
        "tk-ho_ten_me": "Trần Thị Lan",
        "tk-nam_sinh_me": "1995",
        "tk-dan_toc_me": "Kinh",
        "tk-quoc_tich_me": "Việt Nam",
        **address("noi_cu_tru_me", street="25 Nguyễn Huệ"),
        "tk-co_thong_tin_cha": "co",
        "tk-ho_ten_cha": "Nguyễn Văn Hùng",
        "tk-nam_sinh_cha": "1990",
        "tk-dan_toc_cha": "Kinh",
        "tk-quoc_tich_cha": "Việt Nam",
        **address("noi_cu_tru_cha", ward=KIM_LONG, street="25 Nguyễn Huệ"),
        "tk-de_nghi_cap_ban_sao": "co",
        "tk-so_ban_sao": "2",
        "tk-cam_doan": "on",
    }


KHAI_SINH_PAYLOAD = {
    "ho_ten_nguoi_yeu_cau": "Nguyễn Văn Hùng",
    "noi_cu_tru_nguoi_yeu_cau": address_payload(street="25 Nguyễn Huệ"),
    "loai_giay_to_nguoi_yeu_cau": "cccd",
    "so_dinh_danh_nguoi_yeu_cau": "046090001234",
    "ngay_cap_nguoi_yeu_cau": "2021-04-15",
    "noi_cap_nguoi_yeu_cau": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
    "ho_ten_tre": "Nguyễn Minh An",
    "ngay_sinh": "2024-09-05",
    "gioi_tinh": "nam",
    "dan_toc": "Kinh",
    "quoc_tich": "Việt Nam",
    "noi_sinh": address_payload(street="Bệnh viện Trung ương Huế"),
    "que_quan": "Phường Kim Long, Thành phố Huế",
    "ho_ten_me": "Trần Thị Lan",
    "nam_sinh_me": 1995,
    "dan_toc_me": "Kinh",
    "quoc_tich_me": "Việt Nam",
    "noi_cu_tru_me": address_payload(street="25 Nguyễn Huệ"),
    "co_thong_tin_cha": True,
    "ho_ten_cha": "Nguyễn Văn Hùng",
    "nam_sinh_cha": 1990,
    "dan_toc_cha": "Kinh",
    "quoc_tich_cha": "Việt Nam",
    "noi_cu_tru_cha": address_payload(ward=KIM_LONG, street="25 Nguyễn Huệ"),
    "de_nghi_cap_ban_sao": True,
    "so_ban_sao": 2,
    "cam_doan": True,
}


def ket_hon_data() -> dict[str, str]:
    data = {"tk-de_nghi_cap_ban_sao": "khong", "tk-so_ban_sao": "", "tk-cam_doan": "on"}
    for side, name, born, cccd, ward in (
        ("nu", "Lê Thị Thu Hà", "1998-02-14", "046198001122", AN_CUU),
        ("nam", "Phan Quốc Bảo", "1996-11-03", "046096003344", KIM_LONG),
    ):
        data.update(
            {
                f"tk-ho_ten_{side}": name,
                f"tk-ngay_sinh_{side}": born,
                f"tk-dan_toc_{side}": "Kinh",
                f"tk-quoc_tich_{side}": "Việt Nam",
                **address(f"noi_cu_tru_{side}", ward=ward),
                f"tk-loai_giay_to_{side}": "cccd",
                f"tk-so_dinh_danh_{side}": cccd,
                f"tk-ngay_cap_{side}": "2022-06-01",
                f"tk-noi_cap_{side}": "Bộ Công an",
                f"tk-ket_hon_lan_thu_{side}": "1",
            }
        )
    return data


KET_HON_PAYLOAD = {
    **{
        key: value
        for side, name, born, cccd, ward in (
            ("nu", "Lê Thị Thu Hà", "1998-02-14", "046198001122", AN_CUU),
            ("nam", "Phan Quốc Bảo", "1996-11-03", "046096003344", KIM_LONG),
        )
        for key, value in {
            f"ho_ten_{side}": name,
            f"ngay_sinh_{side}": born,
            f"dan_toc_{side}": "Kinh",
            f"quoc_tich_{side}": "Việt Nam",
            f"noi_cu_tru_{side}": address_payload(ward=ward),
            f"loai_giay_to_{side}": "cccd",
            f"so_dinh_danh_{side}": cccd,
            f"ngay_cap_{side}": "2022-06-01",
            f"noi_cap_{side}": "Bộ Công an",
            f"ket_hon_lan_thu_{side}": 1,
        }.items()
    },
    "de_nghi_cap_ban_sao": False,
    "cam_doan": True,
}


def ly_lich_data() -> dict[str, str]:
    return {
        "tk-ho_ten": "HOÀNG THỊ MAI",
        "tk-ten_goi_khac": "",
        "tk-gioi_tinh": "nu",
        "tk-ngay_sinh": "2001-07-20",
        "tk-noi_sinh": "Xã Phú Dương, huyện Phú Vang, tỉnh Thừa Thiên Huế",
        "tk-quoc_tich": "Việt Nam",
        "tk-dan_toc": "Kinh",
        **address("noi_thuong_tru", street="8 Kim Long"),
        "tk-noi_tam_tru-province": "",
        "tk-noi_tam_tru-ward": "",
        "tk-noi_tam_tru-street": "",
        "tk-so_dinh_danh": "046301005566",
        "tk-ngay_cap": "2021-08-10",
        "tk-noi_cap": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "tk-ho_ten_cha": "HOÀNG VĂN TÂM",
        "tk-ho_ten_me": "NGUYỄN THỊ HOA",
        "tk-ho_ten_vo_chong": "",
        "tk-dien_thoai": "0905 123 456",
        "tk-email": "mai.hoang@example.invalid",
        "tk-qua_trinh_cu_tru-rows": "3",
        "tk-qua_trinh_cu_tru-0-tu_thang_nam": "07/2015",
        "tk-qua_trinh_cu_tru-0-den_thang_nam": "08/2019",
        "tk-qua_trinh_cu_tru-0-cho_o": "Xã Phú Dương, huyện Phú Vang, tỉnh Thừa Thiên Huế",
        "tk-qua_trinh_cu_tru-0-nghe_nghiep_noi_lam_viec": "Học sinh, Trường THPT Phan Đăng Lưu",
        "tk-qua_trinh_cu_tru-1-tu_thang_nam": "09/2019",
        "tk-qua_trinh_cu_tru-1-den_thang_nam": "nay",
        "tk-qua_trinh_cu_tru-1-cho_o": "8 Kim Long, Phường Kim Long, Thành phố Huế",
        "tk-qua_trinh_cu_tru-1-nghe_nghiep_noi_lam_viec": "Sinh viên, Trường Đại học Khoa học Huế",
        "tk-qua_trinh_cu_tru-2-tu_thang_nam": "",  # an empty row: ignored
        "tk-qua_trinh_cu_tru-2-den_thang_nam": "",
        "tk-qua_trinh_cu_tru-2-cho_o": "",
        "tk-qua_trinh_cu_tru-2-nghe_nghiep_noi_lam_viec": "",
        "tk-loai_phieu": "so_1",
        "tk-xac_nhan_cam_dam_nhiem_chuc_vu": "khong",
        "tk-muc_dich_su_dung": "Bổ sung hồ sơ xin việc",
        "tk-so_luong_phieu": "2",
        "tk-cam_doan": "on",
    }


LY_LICH_PAYLOAD = {
    "ho_ten": "HOÀNG THỊ MAI",
    "ten_goi_khac": "",
    "gioi_tinh": "nu",
    "ngay_sinh": "2001-07-20",
    "noi_sinh": "Xã Phú Dương, huyện Phú Vang, tỉnh Thừa Thiên Huế",
    "quoc_tich": "Việt Nam",
    "dan_toc": "Kinh",
    "noi_thuong_tru": address_payload(street="8 Kim Long"),
    "noi_tam_tru": None,
    "so_dinh_danh": "046301005566",
    "ngay_cap": "2021-08-10",
    "noi_cap": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "ho_ten_cha": "HOÀNG VĂN TÂM",
    "ho_ten_me": "NGUYỄN THỊ HOA",
    "ho_ten_vo_chong": "",
    "dien_thoai": "+84905123456",
    "email": "mai.hoang@example.invalid",
    "qua_trinh_cu_tru": [
        {
            "tu_thang_nam": "07/2015",
            "den_thang_nam": "08/2019",
            "cho_o": "Xã Phú Dương, huyện Phú Vang, tỉnh Thừa Thiên Huế",
            "nghe_nghiep_noi_lam_viec": "Học sinh, Trường THPT Phan Đăng Lưu",
        },
        {
            "tu_thang_nam": "09/2019",
            "den_thang_nam": "nay",
            "cho_o": "8 Kim Long, Phường Kim Long, Thành phố Huế",
            "nghe_nghiep_noi_lam_viec": "Sinh viên, Trường Đại học Khoa học Huế",
        },
    ],
    "loai_phieu": "so_1",
    "xac_nhan_cam_dam_nhiem_chuc_vu": False,
    "muc_dich_su_dung": "Bổ sung hồ sơ xin việc",
    "so_luong_phieu": 2,
    "cam_doan": True,
}


def ho_kinh_doanh_data() -> dict[str, str]:
    return {
        "tk-ho_ten_chu_ho": "TRẦN VĂN PHÚC",
        "tk-ngay_sinh_chu_ho": "1985-03-12",
        "tk-gioi_tinh_chu_ho": "nam",
        "tk-so_dinh_danh_chu_ho": "046085007788",
        **address("noi_thuong_tru_chu_ho", street="40 Chi Lăng"),
        "tk-dien_thoai_chu_ho": "0905123456",
        "tk-email_chu_ho": "",
        "tk-ten_ho_kinh_doanh": "HỘ KINH DOANH BÚN BÒ PHÚC",
        **address("dia_chi_tru_so", ward=KIM_LONG, street="12 Kim Long"),
        "tk-dien_thoai_tru_so": "",
        "tk-nganh_nghe_kinh_doanh-rows": "2",
        "tk-nganh_nghe_kinh_doanh-0-ten_nganh": "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động",
        "tk-nganh_nghe_kinh_doanh-0-ma_nganh": "5610",
        "tk-nganh_nghe_kinh_doanh-0-nganh_chinh": "on",
        "tk-nganh_nghe_kinh_doanh-1-ten_nganh": "Dịch vụ phục vụ đồ uống",
        "tk-nganh_nghe_kinh_doanh-1-ma_nganh": "5630",
        "tk-von_kinh_doanh": "150.000.000",
        "tk-so_luong_lao_dong": "4",
        "tk-ngay_bat_dau_hoat_dong": "",
        "tk-chu_the_thanh_lap": "thanh_vien_ho_gia_dinh",
        "tk-thanh_vien_gop_von-rows": "1",
        "tk-thanh_vien_gop_von-0-ho_ten_thanh_vien": "Lê Thị Ngọc",
        "tk-thanh_vien_gop_von-0-ngay_sinh_thanh_vien": "1987-10-02",
        "tk-thanh_vien_gop_von-0-so_dinh_danh_thanh_vien": "046187009900",
        **address("thanh_vien_gop_von-0-noi_thuong_tru_thanh_vien", street=""),
        "tk-thanh_vien_gop_von-0-gia_tri_von_gop": "50000000",
        "tk-cam_ket": "on",
    }


HO_KINH_DOANH_PAYLOAD = {
    "ho_ten_chu_ho": "TRẦN VĂN PHÚC",
    "ngay_sinh_chu_ho": "1985-03-12",
    "gioi_tinh_chu_ho": "nam",
    "so_dinh_danh_chu_ho": "046085007788",
    "noi_thuong_tru_chu_ho": address_payload(street="40 Chi Lăng"),
    "dia_chi_lien_lac": None,
    "dien_thoai_chu_ho": "+84905123456",
    "email_chu_ho": "",
    "ten_ho_kinh_doanh": "HỘ KINH DOANH BÚN BÒ PHÚC",
    "dia_chi_tru_so": address_payload(ward=KIM_LONG, street="12 Kim Long"),
    "dien_thoai_tru_so": "",
    "nganh_nghe_kinh_doanh": [
        {"ten_nganh": "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động", "ma_nganh": "5610", "nganh_chinh": True},
        {"ten_nganh": "Dịch vụ phục vụ đồ uống", "ma_nganh": "5630", "nganh_chinh": False},
    ],
    "von_kinh_doanh": 150_000_000,
    "so_luong_lao_dong": 4,
    "ngay_bat_dau_hoat_dong": None,
    "chu_the_thanh_lap": "thanh_vien_ho_gia_dinh",
    "thanh_vien_gop_von": [
        {
            "ho_ten_thanh_vien": "Lê Thị Ngọc",
            "ngay_sinh_thanh_vien": "1987-10-02",
            "so_dinh_danh_thanh_vien": "046187009900",
            "noi_thuong_tru_thanh_vien": address_payload(street=""),
            "gia_tri_von_gop": 50_000_000,
        }
    ],
    "cam_ket": True,
}


def chung_thuc_data() -> dict[str, str]:
    return {
        "tk-ho_ten_nguoi_yeu_cau": "Võ Thị Hồng",
        "tk-so_dinh_danh": "046199004455",
        "tk-dien_thoai": "",
        "tk-noi_cu_tru-province": "",
        "tk-noi_cu_tru-ward": "",
        "tk-noi_cu_tru-street": "",
        "tk-ten_giay_to": "Bằng tốt nghiệp đại học",
        "tk-ngon_ngu": "nuoc_ngoai",
        "tk-ten_ngon_ngu": "tiếng Anh",
        "tk-so_trang": "3",
        "tk-so_ban": "2",
    }


CHUNG_THUC_PAYLOAD = {
    "ho_ten_nguoi_yeu_cau": "Võ Thị Hồng",
    "so_dinh_danh": "046199004455",
    "dien_thoai": "",
    "noi_cu_tru": None,
    "ten_giay_to": "Bằng tốt nghiệp đại học",
    "ngon_ngu": "nuoc_ngoai",
    "ten_ngon_ngu": "tiếng Anh",
    "so_trang": 3,
    "so_ban": 2,
}

SUBMISSIONS = {
    "dang_ky_khai_sinh": (khai_sinh_data, KHAI_SINH_PAYLOAD),
    "dang_ky_ket_hon": (ket_hon_data, KET_HON_PAYLOAD),
    "cap_phieu_ly_lich_tu_phap": (ly_lich_data, LY_LICH_PAYLOAD),
    "dang_ky_ho_kinh_doanh": (ho_kinh_doanh_data, HO_KINH_DOANH_PAYLOAD),
    "chung_thuc_ban_sao": (chung_thuc_data, CHUNG_THUC_PAYLOAD),
}


@pytest.mark.parametrize("name", DEMO_EFORMS)
def test_a_realistic_submission_gives_the_expected_payload(name):
    make_data, expected = SUBMISSIONS[name]
    form = build_form(load(name), data=make_data())

    assert form.is_valid(), form.errors
    payload = form.cleaned_payload()
    assert payload == expected
    assert json.loads(json.dumps(payload)) == payload  # plain JSON, nothing to convert


@pytest.mark.parametrize("name", DEMO_EFORMS)
def test_a_payload_given_as_initial_renders_and_submits_back_to_itself(name):
    """A saved draft opens with what was typed, and sending it unchanged gives the same payload."""
    definition = load(name)
    _make, payload = SUBMISSIONS[name]
    markup = parse(render(build_form(definition, initial=payload)))
    html_data: dict[str, Any] = {}  # what a browser would send back, untouched
    for element in markup.inputs:
        name_attr, kind = element.get("name"), element.get("type")
        if not name_attr or kind in ("submit", "button"):
            continue
        if element["_tag"] == "select":
            html_data[name_attr] = markup.selected.get(name_attr, "")
        elif kind in ("radio", "checkbox"):
            if "checked" in element:
                html_data[name_attr] = element.get("value", "on")
        else:
            html_data[name_attr] = element.get("value", "")
    form = build_form(definition, data=html_data)
    assert form.is_valid(), form.errors
    assert form.cleaned_payload() == payload


# --- Error messages, in Vietnamese, next to the field and in the summary ------------------------


def test_missing_required_fields_are_named_in_the_summary_and_next_to_each_field():
    definition = load("chung_thuc_ban_sao")
    form = build_form(definition, data={**chung_thuc_data(), "tk-ho_ten_nguoi_yeu_cau": "", "tk-ngon_ngu": ""})
    assert not form.is_valid()
    assert form.errors["ho_ten_nguoi_yeu_cau"] == ["Vui lòng nhập thông tin này."]
    assert form.errors["ngon_ngu"] == ["Vui lòng chọn."]

    html = render(form)
    summary = html[: html.index('<div class="eform"')]
    assert 'class="error-summary"' in summary
    assert (
        '<a href="#id_tk-ho_ten_nguoi_yeu_cau">Họ, chữ đệm, tên người yêu cầu chứng thực: '
        "Vui lòng nhập thông tin này.</a>"
    ) in summary
    assert '<a href="#id_tk-ngon_ngu_0">Ngôn ngữ của giấy tờ, văn bản: Vui lòng chọn.</a>' in summary
    assert '<p class="field__error" id="id_tk-ho_ten_nguoi_yeu_cau_error">Vui lòng nhập thông tin này.' in html
    assert 'aria-describedby="id_tk-ho_ten_nguoi_yeu_cau_error"' in html


TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ({"type": "text", "label": "Họ tên", "max_length": 5}, "Nguyễn", "Nhập tối đa 5 ký tự (đã nhập 6)."),
        ({"type": "textarea", "label": "Ghi chú", "min_length": 10}, "ngắn", "Nhập ít nhất 10 ký tự (đã nhập 4)."),
        ({"type": "number", "label": "Số bản", "min": 1, "max": 10}, "11", "Giá trị lớn nhất là 10."),
        ({"type": "number", "label": "Số bản", "min": 1, "max": 10}, "0", "Giá trị nhỏ nhất là 1."),
        ({"type": "number", "label": "Số bản"}, "hai", "Vui lòng nhập một số nguyên, ví dụ 2 hoặc 5.000.000."),
        ({"type": "number", "label": "Số bản"}, "1,5", "Vui lòng nhập một số nguyên, ví dụ 2 hoặc 5.000.000."),
        (
            {"type": "date", "label": "Ngày sinh"},
            "31/02/2024",
            "Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 05/09/2024.",
        ),
        (
            {"type": "date", "label": "Ngày sinh", "max_date": "today"},
            (TODAY + dt.timedelta(days=1)).isoformat(),
            "Ngày không được sau ngày hôm nay.",
        ),
        (
            {"type": "date", "label": "Ngày hẹn", "min_date": "today"},
            (TODAY - dt.timedelta(days=1)).isoformat(),
            "Ngày không được trước ngày hôm nay.",
        ),
        (
            {"type": "date", "label": "Ngày sinh", "min_date": "1900-01-01"},
            "1899-12-31",
            "Ngày phải từ 01/01/1900 trở về sau.",
        ),
        (
            {"type": "date", "label": "Ngày cấp", "max_date": "2020-06-30"},
            "01/07/2020",
            "Ngày không được sau 30/06/2020.",
        ),
        (
            {
                "type": "text",
                "label": "Từ tháng, năm",
                "pattern": r"(0[1-9]|1[0-2])/\d{4}",
                "pattern_message": "Nhập theo dạng tháng/năm, ví dụ 03/2015.",
            },
            "3/2015",
            "Nhập theo dạng tháng/năm, ví dụ 03/2015.",
        ),
        ({"type": "text", "label": "Mã ngành", "pattern": r"\d{4}"}, "56a0", "Giá trị không đúng định dạng."),
        ({"type": "cccd", "label": "Số CCCD"}, "12345", "Số CCCD phải gồm đúng 12 chữ số."),
        (
            {"type": "cccd", "label": "Số CCCD"},
            "999195001122",
            "Ba số đầu của CCCD không phải mã tỉnh/thành phố hợp lệ.",
        ),
        (
            {"type": "phone", "label": "Điện thoại"},
            "0123",
            "Số điện thoại di động không hợp lệ. Nhập 10 số, ví dụ 0905123456.",
        ),
        ({"type": "email", "label": "Thư điện tử"}, "an@", "Địa chỉ thư điện tử không hợp lệ."),
        (
            {"type": "select", "label": "Giới tính", "choices": [["nam", "Nam"], ["nu", "Nữ"]]},
            "khac",
            "Lựa chọn không hợp lệ.",
        ),
        (
            {"type": "select", "label": "Giới tính", "widget": "radio", "choices": [["nam", "Nam"]]},
            "<b>",
            "Lựa chọn không hợp lệ.",
        ),
        ({"type": "yesno", "label": "Cấp bản sao"}, "maybe", "Lựa chọn không hợp lệ."),
    ],
)
def test_each_rule_answers_in_vietnamese(field, value, message):
    assert errors_of(one_field(required=True, **field), {"tk-x": value}) == {"x": [message]}


def test_a_tampered_multiselect_value_is_refused():
    definition = one_field(type="multiselect", label="Giấy tờ kèm theo", choices=[["a", "Bản sao"], ["b", "Ảnh"]])
    form = build_form(definition, data={"tk-x": ["a", "z"]})
    assert not form.is_valid()
    assert form.errors["x"] == ["Lựa chọn không hợp lệ."]


def test_a_ward_of_another_province_is_refused_with_a_reason():
    definition = load("chung_thuc_ban_sao")
    data = {**chung_thuc_data(), **address("noi_cu_tru", province=HUE, ward=BA_DINH_HA_NOI)}
    form = build_form(definition, data=data)

    assert not form.is_valid()
    assert form.errors["noi_cu_tru-ward"] == ["Xã/phường đã chọn không thuộc tỉnh/thành phố đã chọn."]
    assert form.error_summary[0]["label"] == "Nơi cư trú – Xã/phường/đặc khu"


def test_an_optional_address_is_all_or_nothing():
    definition = load("chung_thuc_ban_sao")
    data = {**chung_thuc_data(), "tk-noi_cu_tru-street": "3 Hùng Vương"}
    errors = errors_of(definition, data)
    assert errors == {"noi_cu_tru-province": ["Vui lòng chọn."], "noi_cu_tru-ward": ["Vui lòng chọn."]}


def test_a_pledge_must_be_ticked():
    data = ket_hon_data()
    del data["tk-cam_doan"]
    assert errors_of(load("dang_ky_ket_hon"), data) == {"cam_doan": ["Vui lòng đánh dấu để xác nhận."]}


def test_numbers_may_be_written_with_thousands_separators_and_text_is_stored_in_nfc():
    definition = load("dang_ky_ho_kinh_doanh")
    decomposed = "HO\u0302\u0323 KINH DOANH BU\u0301N BO\u0300 PHU\u0301C"
    form = build_form(
        definition,
        data={**ho_kinh_doanh_data(), "tk-von_kinh_doanh": "150 000 000", "tk-ten_ho_kinh_doanh": decomposed},
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_payload()["von_kinh_doanh"] == 150_000_000
    assert form.cleaned_payload()["ten_ho_kinh_doanh"] == "HỘ KINH DOANH BÚN BÒ PHÚC"


def test_the_business_name_pattern_ignores_case_in_vietnamese():
    definition = load("dang_ky_ho_kinh_doanh")
    ok = build_form(definition, data={**ho_kinh_doanh_data(), "tk-ten_ho_kinh_doanh": "Hộ kinh doanh Bún bò Phúc"})
    assert ok.is_valid(), ok.errors
    bad = build_form(definition, data={**ho_kinh_doanh_data(), "tk-ten_ho_kinh_doanh": "Quán bún bò Phúc"})
    assert not bad.is_valid()
    assert "Hộ kinh doanh" in bad.errors["ten_ho_kinh_doanh"][0]


# --- Conditions ----------------------------------------------------------------------------------


def test_a_field_that_does_not_apply_is_not_required_and_is_dropped():
    definition = load("chung_thuc_ban_sao")
    form = build_form(definition, data={**chung_thuc_data(), "tk-ngon_ngu": "tieng_viet", "tk-ten_ngon_ngu": "x" * 99})
    assert form.is_valid(), form.errors  # 99 characters would break max_length if it applied
    assert "ten_ngon_ngu" not in form.cleaned_payload()
    assert form.cleaned_payload()["ngon_ngu"] == "tieng_viet"

    form = build_form(definition, data={**chung_thuc_data(), "tk-ten_ngon_ngu": ""})
    assert form.errors == {"ten_ngon_ngu": ["Vui lòng nhập thông tin này."]}


def test_a_condition_on_yes_no_hides_a_section_of_fields_and_their_errors():
    definition = load("dang_ky_khai_sinh")
    data = {
        **khai_sinh_data(),
        "tk-co_thong_tin_cha": "khong",
        "tk-ho_ten_cha": "",
        "tk-nam_sinh_cha": "chưa rõ",  # invalid, but the field does not apply
        "tk-noi_cu_tru_cha-province": str(HUE),
        "tk-noi_cu_tru_cha-ward": str(BA_DINH_HA_NOI),
        "tk-de_nghi_cap_ban_sao": "khong",
        "tk-so_ban_sao": "",
    }
    form = build_form(definition, data=data)
    assert form.is_valid(), form.errors
    payload = form.cleaned_payload()
    assert payload["co_thong_tin_cha"] is False
    assert not {"ho_ten_cha", "nam_sinh_cha", "dan_toc_cha", "quoc_tich_cha", "noi_cu_tru_cha", "so_ban_sao"} & set(
        payload
    )


def test_a_table_that_does_not_apply_is_not_validated_and_is_dropped():
    data = {
        **ho_kinh_doanh_data(),
        "tk-chu_the_thanh_lap": "ca_nhan",
        "tk-thanh_vien_gop_von-0-so_dinh_danh_thanh_vien": "sai",
    }
    form = build_form(load("dang_ky_ho_kinh_doanh"), data=data)
    assert form.is_valid(), form.errors
    assert "thanh_vien_gop_von" not in form.cleaned_payload()


def test_a_hidden_controller_hides_its_dependants_too():
    definition = {
        "version": 1,
        "title": "Chuỗi điều kiện",
        "sections": [
            {
                "title": "Phần",
                "fields": [
                    {"name": "a", "type": "yesno", "label": "A", "required": True},
                    {
                        "name": "b",
                        "type": "select",
                        "label": "B",
                        "required": True,
                        "choices": [["1", "Một"], ["2", "Hai"]],
                        "show_when": {"field": "a", "equals": True},
                    },
                    {
                        "name": "c",
                        "type": "text",
                        "label": "C",
                        "required": True,
                        "show_when": {"field": "b", "equals": "2"},
                    },
                ],
            }
        ],
    }
    form = build_form(definition, data={"tk-a": "khong", "tk-b": "2", "tk-c": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_payload() == {"a": False}
    assert build_form(definition, data={"tk-a": "co", "tk-b": "2", "tk-c": ""}).errors == {
        "c": ["Vui lòng nhập thông tin này."]
    }


def test_without_javascript_conditional_fields_are_shown_with_a_note():
    html = render(build_form(load("chung_thuc_ban_sao")))
    assert "(chỉ điền khi “Ngôn ngữ của giấy tờ, văn bản” là “Tiếng nước ngoài”)" in html
    assert 'data-show-when="tk-ngon_ngu" data-show-values="[&quot;nuoc_ngoai&quot;]"' in html
    assert 'id="id_tk-ten_ngon_ngu"' in html
    assert " hidden" not in html.replace('type="hidden"', "")
    assert "catalog/eform.js" in html

    html = render(build_form(load("dang_ky_khai_sinh")))
    assert "(chỉ điền khi “Giấy tờ tùy thân” là “Hộ chiếu” hoặc “Giấy tờ khác có dán ảnh”)" in html
    assert 'data-show-values="[&quot;co&quot;]"' in html  # yes/no conditions as the radio values


# --- Tables --------------------------------------------------------------------------------------


def test_the_add_row_button_re_renders_one_more_row_without_errors():
    definition = load("cap_phieu_ly_lich_tu_phap")
    data = {
        "tk-qua_trinh_cu_tru-rows": "1",
        "tk-qua_trinh_cu_tru-0-tu_thang_nam": "07/2015",
        "tk-qua_trinh_cu_tru-0-cho_o": "Huế",
        "tk-qua_trinh_cu_tru-add": "1",
    }
    form = build_form(definition, data=data)

    assert form.action == "add:qua_trinh_cu_tru"
    assert not form.is_valid()
    assert not form.errors
    html = render(form)
    assert 'class="error-summary"' not in html
    assert 'name="tk-qua_trinh_cu_tru-rows" value="2"' in html
    assert 'id="id_tk-qua_trinh_cu_tru-1-cho_o"' in html
    assert 'value="07/2015"' in html  # what was typed is kept
    assert '<label class="visually-hidden" for="id_tk-qua_trinh_cu_tru-1-cho_o">Chỗ ở, dòng 2</label>' in html


def test_no_row_is_added_beyond_the_maximum():
    definition = load("cap_phieu_ly_lich_tu_phap")
    form = build_form(definition, data={"tk-qua_trinh_cu_tru-rows": "30", "tk-qua_trinh_cu_tru-add": "1"})
    assert not form.is_valid()
    html = render(form)
    assert 'name="tk-qua_trinh_cu_tru-rows" value="30"' in html
    assert 'name="tk-qua_trinh_cu_tru-add"' not in html


def test_too_many_rows_are_refused():
    definition = copy.deepcopy(load("cap_phieu_ly_lich_tu_phap"))
    definition["sections"][1]["fields"][0]["max_rows"] = 2
    data = ly_lich_data()
    data["tk-qua_trinh_cu_tru-rows"] = "3"
    data.update(
        {
            "tk-qua_trinh_cu_tru-2-tu_thang_nam": "01/2020",
            "tk-qua_trinh_cu_tru-2-den_thang_nam": "nay",
            "tk-qua_trinh_cu_tru-2-cho_o": "Huế",
        }
    )
    form = build_form(definition, data=data)
    assert not form.is_valid()
    assert form.errors == {"qua_trinh_cu_tru-rows": ["Bảng “Quá trình cư trú” chỉ được có tối đa 2 dòng."]}
    assert form.error_summary[0]["anchor"] == "id_tk-qua_trinh_cu_tru__muc"
    assert "Bảng “Quá trình cư trú” chỉ được có tối đa 2 dòng." in render(form)

    # A forged count cannot make the server build thousands of rows.
    huge = build_form(definition, data={**data, "tk-qua_trinh_cu_tru-rows": "100000"})
    assert sum(1 for key in huge.fields if key.startswith("qua_trinh_cu_tru-")) <= 2 * 4 + 1


def test_a_required_table_needs_a_row_and_a_started_row_is_validated():
    definition = load("cap_phieu_ly_lich_tu_phap")
    data = {key: value for key, value in ly_lich_data().items() if not key.startswith("tk-qua_trinh_cu_tru")}
    assert errors_of(definition, data) == {
        "qua_trinh_cu_tru-rows": ["Vui lòng nhập ít nhất 1 dòng trong bảng “Quá trình cư trú”."]
    }

    data = {**ly_lich_data(), "tk-qua_trinh_cu_tru-2-nghe_nghiep_noi_lam_viec": "Kỹ sư"}
    form = build_form(definition, data=data)
    assert form.errors == {
        "qua_trinh_cu_tru-2-tu_thang_nam": ["Vui lòng nhập thông tin này."],
        "qua_trinh_cu_tru-2-den_thang_nam": ["Vui lòng nhập thông tin này."],
        "qua_trinh_cu_tru-2-cho_o": ["Vui lòng nhập thông tin này."],
    }
    assert form.error_summary[0]["label"] == "Quá trình cư trú – Từ tháng, năm, dòng 3"


def test_rows_are_found_without_the_count_field():
    data = {key: value for key, value in ly_lich_data().items() if key != "tk-qua_trinh_cu_tru-rows"}
    form = build_form(load("cap_phieu_ly_lich_tu_phap"), data=data)
    assert form.is_valid(), form.errors
    assert len(form.cleaned_payload()["qua_trinh_cu_tru"]) == 2


def test_the_ward_list_button_re_renders_the_wards_of_the_chosen_province():
    definition = load("chung_thuc_ban_sao")
    form = build_form(definition, data={"tk-noi_cu_tru-province": "1", "tk-noi_cu_tru-wards": "1"})
    assert form.action == "wards:noi_cu_tru"
    assert not form.is_valid()
    assert not form.errors
    html = render(form)
    assert ">Phường Ba Đình</option>" in html
    assert ">Phường An Cựu</option>" not in html


# --- Human-readable rows -------------------------------------------------------------------------


def test_display_rows_are_human_readable():
    form = build_form(load("dang_ky_khai_sinh"), data=khai_sinh_data())
    assert form.is_valid(), form.errors
    sections = dict(form.display_rows())

    child = dict(sections["Người được khai sinh"])
    assert child["Ngày, tháng, năm sinh"] == "05/09/2024"
    assert child["Giới tính"] == "Nam"
    assert child["Nơi sinh"] == "Bệnh viện Trung ương Huế, Phường An Cựu, Thành phố Huế"
    requester = dict(sections["Người yêu cầu"])
    assert requester["Giấy tờ tùy thân"] == "Thẻ Căn cước/Căn cước công dân"
    assert requester["Ngày cấp"] == "15/04/2021"
    assert "Số giấy tờ" not in requester  # did not apply
    assert dict(sections["Thông tin người cha"])["Đã xác định được người cha"] == "Có"
    assert sections["Đề nghị cấp bản sao"] == [("Đề nghị cấp bản sao", "Có"), ("Số lượng bản sao", "2 bản")]

    rows = dict(display_rows(load("dang_ky_ket_hon"), KET_HON_PAYLOAD))
    assert rows["Đề nghị cấp bản sao"] == [("Đề nghị cấp bản sao", "Không")]


def test_display_rows_of_tables_numbers_and_phones():
    rows = dict(display_rows(load("dang_ky_ho_kinh_doanh"), HO_KINH_DOANH_PAYLOAD))
    owner = dict(rows["Thông tin về chủ hộ kinh doanh"])
    assert owner["Điện thoại"] == "0905123456"
    assert owner["Địa chỉ liên lạc"] == ""
    business = dict(rows["Thông tin về hộ kinh doanh"])
    assert business["Vốn kinh doanh (bằng số; VNĐ)"] == "150.000.000 đồng"
    assert business["Ngành, nghề kinh doanh"] == (
        "1. Tên ngành: Nhà hàng và các dịch vụ ăn uống phục vụ lưu động; Mã ngành: 5610; "
        "Ngành, nghề kinh doanh chính: Có\n"
        "2. Tên ngành: Dịch vụ phục vụ đồ uống; Mã ngành: 5630; Ngành, nghề kinh doanh chính: Không"
    )
    members = dict(rows["Chủ thể thành lập hộ kinh doanh"])
    assert members["Chủ thể thành lập hộ kinh doanh"] == "Các thành viên hộ gia đình"
    assert "Địa chỉ thường trú: Phường An Cựu, Thành phố Huế" in members["Danh sách thành viên hộ gia đình góp vốn"]
    assert "Ngày sinh: 02/10/1987" in members["Danh sách thành viên hộ gia đình góp vốn"]


def test_display_rows_survive_a_payload_that_no_longer_fits():
    rows = display_rows(load("chung_thuc_ban_sao"), {"so_trang": "ba", "ngon_ngu": "cu", "noi_cu_tru": "Huế"})
    values = dict(rows[0][1] + rows[1][1]) if len(rows) > 1 else dict(rows[0][1])
    assert values["Số trang của bản chính"] == "ba"
    assert values["Ngôn ngữ của giấy tờ, văn bản"] == "cu"
    assert values["Nơi cư trú"] == "Huế"


# --- Validating definitions ----------------------------------------------------------------------


def _with(mutate):
    definition = load("chung_thuc_ban_sao")
    mutate(definition)
    return definition


def _fields(definition):
    return definition["sections"][1]["fields"]


def _set(index, **values):
    return lambda d: _fields(d)[index].update(values)


def _group(definition, **group):
    _fields(definition).append({"name": "bang", "type": "group", "label": "Bảng", **group})


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(version=2), "“version” phải là 1."),
        (lambda d: d.update(sections="x"), "“sections” phải là một danh sách có ít nhất một phần."),
        (lambda d: d.update(extra=1), "Tờ khai có khóa không được hỗ trợ: extra."),
        (lambda d: d.update(title=""), "Tờ khai: “title” phải là một chuỗi không rỗng."),
        (_set(0, type="slider"), "Trường “ten_giay_to”: loại “slider” không được hỗ trợ."),
        (_set(1, name="ten_giay_to"), "Tên trường “ten_giay_to” bị trùng."),
        (_set(0, name="Tên giấy tờ"), "tên trường “Tên giấy tờ” không hợp lệ"),
        (_set(0, requried=True), "khóa không được hỗ trợ với loại “text”: requried."),
        (_set(0, label=""), "Trường “ten_giay_to”: “label” phải là một chuỗi không rỗng."),
        (_set(0, required="yes"), "Trường “ten_giay_to”: “required” phải là true hoặc false."),
        (
            _set(2, show_when={"field": "khong_co", "equals": "x"}),
            "Trường “ten_ngon_ngu”: “show_when” trỏ tới trường “khong_co” không có trong tờ khai.",
        ),
        (
            _set(2, show_when={"field": "ngon_ngu", "equals": "tieng_phap"}),
            "Trường “ten_ngon_ngu”: giá trị trong “show_when” không hợp với trường “ngon_ngu”.",
        ),
        (_set(2, show_when={"field": "ngon_ngu", "equals": "a", "in": ["b"]}), "“show_when” phải có dạng"),
        (_set(2, show_when={"field": "so_trang", "equals": "3"}), "không hợp với trường “so_trang”"),
        (_set(2, show_when={"field": "ten_ngon_ngu", "equals": "x"}), "“show_when” không được trỏ tới chính nó."),
        (_set(2, show_when={"field": "ten_giay_to", "equals": "x"}), None),  # a text controller is fine
        (
            lambda d: (
                _fields(d)[0].update(show_when={"field": "ten_ngon_ngu", "equals": "x"}),
                _fields(d)[2].update(show_when={"field": "ten_giay_to", "equals": "y"}),
            ),
            "Các điều kiện “show_when” tạo thành vòng: ten_giay_to → ten_ngon_ngu → ten_giay_to.",
        ),
        (lambda d: d["sections"][0]["fields"][1].update(show_when={"field": "ten_giay_to", "equals": "x"}), None),
        (
            lambda d: d["sections"][0]["fields"][0].update(show_when={"field": "noi_cu_tru", "equals": "x"}),
            "trường “noi_cu_tru” (loại address) không dùng được làm điều kiện.",
        ),
        (_set(0, pattern="("), "Trường “ten_giay_to”: “pattern” không phải biểu thức chính quy hợp lệ."),
        (_set(0, pattern="(a+)+b"), "“pattern” có lượng từ lồng nhau"),
        (_set(0, pattern=r"(\d{2})*"), "“pattern” có lượng từ lồng nhau"),
        (_set(0, pattern="x" * 201), "“pattern” phải là chuỗi từ 1 đến 200 ký tự."),
        (_set(0, pattern_message="Sai"), "có “pattern_message” mà không có “pattern”."),
        (_set(0, min_length=10, max_length=5), "Trường “ten_giay_to”: “min_length” lớn hơn “max_length”."),
        (_set(0, max_length=100_000), "“max_length” phải là số nguyên từ 0 đến 1000."),
        (_set(3, min=10, max=1), "Trường “so_trang”: “min” lớn hơn “max”."),
        (_set(3, min=1.5), "“min” phải là số nguyên"),
        (_set(3, default=5000), "“default” phải là số nguyên trong khoảng cho phép."),
        (
            lambda d: _fields(d).append(
                {"name": "ngay", "type": "date", "label": "Ngày", "min_date": "2025-01-01", "max_date": "2024-01-01"}
            ),
            "Trường “ngay”: “min_date” sau “max_date”.",
        ),
        (
            lambda d: _fields(d).append({"name": "ngay", "type": "date", "label": "Ngày", "max_date": "2024-13-01"}),
            "“max_date” phải là ngày dạng YYYY-MM-DD hoặc “today”.",
        ),
        (_set(1, choices=[]), "“choices” phải là danh sách [giá trị, nhãn] không rỗng."),
        (_set(1, choices=[["a", "A"], ["a", "B"]]), "giá trị lựa chọn “a” bị trùng."),
        (_set(1, choices=[["a"]]), "mỗi lựa chọn phải là [giá trị, nhãn]"),
        (_set(1, default="tieng_phap"), "“default” không phải một giá trị trong “choices”."),
        (_set(1, widget="slider"), "“widget” phải là “select” hoặc “radio”."),
        (
            lambda d: _fields(d).append(
                {"name": "cam_doan", "type": "yesno", "label": "Cam đoan", "accept": True, "default": True}
            ),
            "ô cam đoan không được đánh dấu sẵn.",
        ),
        (
            lambda d: _group(d, fields=[{"name": "con", "type": "group", "label": "Con", "fields": []}]),
            "không được lồng bảng trong bảng.",
        ),
        (
            lambda d: _group(d, max_rows=51, fields=[{"name": "c", "type": "text", "label": "C"}]),
            "“max_rows” phải là số nguyên từ 1 đến 50.",
        ),
        (
            lambda d: _group(d, min_rows=5, max_rows=2, fields=[{"name": "c", "type": "text", "label": "C"}]),
            "“min_rows” lớn hơn “max_rows”.",
        ),
        (lambda d: _group(d, fields=[]), "bảng phải có danh sách “fields” với ít nhất một cột."),
        (
            lambda d: _group(d, fields=[{"name": "c", "type": "text", "label": "C", "default": "x"}]),
            "trường trong bảng không được có “default”.",
        ),
        (
            lambda d: _group(
                d, fields=[{"name": "c", "type": "text", "label": "C"}], show_when={"field": "c", "equals": "x"}
            ),
            "“show_when” chỉ được trỏ tới trường ngoài bảng hoặc cùng bảng.",
        ),
        (
            lambda d: _group(
                d,
                fields=[
                    {"name": "c", "type": "text", "label": "C"},
                    {"name": "e", "type": "text", "label": "E", "show_when": {"field": "c", "equals": "x"}},
                ],
            ),
            None,
        ),
        (
            lambda d: d["sections"].append({"title": "Trống", "fields": []}),
            "Phần 3 phải có danh sách “fields” với ít nhất một trường.",
        ),
    ],
)
def test_validate_definition_names_each_problem(mutate, expected):
    problems = validate_definition(_with(mutate))
    if expected is None:
        assert problems == []
    else:
        assert any(expected in problem for problem in problems), problems


def test_validate_definition_refuses_ten_thousand_fields_in_one_line():
    definition = {
        "version": 1,
        "title": "Lớn",
        "sections": [
            {"title": "P", "fields": [{"name": f"f{i}", "type": "text", "label": "L"} for i in range(10_000)]}
        ],
    }
    assert validate_definition(definition) == ["Tờ khai có quá nhiều trường (10000, tối đa 300)."]


def test_validate_definition_caps_the_number_of_problems():
    definition = {
        "version": 1,
        "title": "Lỗi",
        "sections": [{"title": "P", "fields": [{"name": f"f{i}", "type": "x", "label": "L"} for i in range(250)]}],
    }
    problems = validate_definition(definition)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == "… và còn các lỗi khác."


def _deep(depth: int) -> Any:
    value: Any = "đáy"
    for level in range(depth):
        value = {"fields": [value]} if level % 2 else [value]
    return value


@pytest.mark.parametrize(
    "hostile",
    [
        None,
        [],
        "tờ khai",
        12,
        {},
        {"sections": "x"},
        {"sections": [None, 1, "x", []]},
        {"version": True, "title": ["x"], "sections": [{"title": {"a": 1}, "fields": {"a": 1}}]},
        {"version": 1, "title": "x", "sections": [{"title": "p", "fields": [_deep(5000)]}]},
        {"version": 1, "title": "x", "sections": _deep(5000)},
        {
            "version": 1,
            "title": "x",
            "sections": [
                {
                    "title": "p",
                    "fields": [
                        {"name": {"a": 1}, "type": ["text"], "label": None},
                        {"name": "a", "type": "text", "label": "x" * 1_000_000, "show_when": [1, 2]},
                        {"name": "b", "type": "select", "label": "b", "choices": [[_deep(100), "x"]] * 500},
                        {"name": "c", "type": "group", "label": "c", "fields": [_deep(3000)], "max_rows": 10**100},
                        {"name": "d", "type": "number", "label": "d", "min": float("nan"), "max": 10**100},
                        {"name": "e", "type": "text", "label": "e", "pattern": {"x": 1}, "min_length": -1},
                        {"name": "f", "type": "date", "label": "f", "min_date": "0000-00-00"},
                        {"name": "g", "type": "text", "label": "g", "show_when": {"field": "b", "in": "abc"}},
                        {
                            "name": "h",
                            "type": "text",
                            "label": "h",
                            "show_when": {"field": ["b"], "equals": _deep(100)},
                        },
                        {1: 2, (1, 2): 3},
                    ],
                }
            ],
        },
    ],
)
def test_validate_definition_survives_hostile_input(hostile):
    problems = validate_definition(hostile)
    assert problems
    assert all(isinstance(p, str) and len(p) < 2000 for p in problems)
    assert len(problems) <= MAX_PROBLEMS + 1


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=40,
)
_field_keys = st.sampled_from(
    [
        "name",
        "type",
        "label",
        "required",
        "help",
        "show_when",
        "choices",
        "fields",
        "min",
        "max",
        "pattern",
        "min_length",
        "max_length",
        "min_date",
        "max_date",
        "default",
        "accept",
        "min_rows",
        "max_rows",
        "widget",
    ]
)
_fieldish = st.dictionaries(_field_keys, _json | st.sampled_from(["text", "group", "select", "a", "today"]), max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    junk=_json,
    fields=st.lists(_fieldish, max_size=6),
)
def test_validate_definition_never_raises(junk, fields):
    assert isinstance(validate_definition(junk), list)
    definition = {"version": 1, "title": "x", "sections": [{"title": "p", "fields": fields}]}
    problems = validate_definition(definition)
    assert all(isinstance(p, str) for p in problems)
    if not problems:
        build_form(definition, data={"tk-a": "x"}).is_valid()  # a valid definition always builds


def test_build_form_refuses_an_invalid_definition():
    with pytest.raises(EFormDefinitionError) as caught:
        build_form({"sections": "x"})
    assert "“sections” phải là một danh sách có ít nhất một phần." in caught.value.problems


# --- The admin preview ---------------------------------------------------------------------------


@pytest.fixture
def version(db):
    from dichvucong.catalog.tests.factories import make_procedure

    procedure = make_procedure(
        "2.000815", "Chứng thực bản sao từ bản chính", field="CT", eform=load("chung_thuc_ban_sao")
    )
    return procedure.current_version


def preview_url(version) -> str:
    return reverse("admin:catalog_procedureversion_eform_preview", args=[version.pk])


def test_the_preview_shows_the_form_and_validates_it(client, personas, version):
    force_login_verified(client, personas.sysadmin)

    response = client.get(preview_url(version))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phiếu yêu cầu chứng thực bản sao từ bản chính" in html
    assert 'for="id_tk-ten_giay_to"' in html

    response = client.post(preview_url(version), {**chung_thuc_data(), "tk-so_trang": "0"})
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Giá trị nhỏ nhất là 1." in html

    response = client.post(preview_url(version), chung_thuc_data())
    html = response.content.decode()
    assert "Tờ khai hợp lệ." in html
    assert "&quot;so_trang&quot;: 3" in html
    assert "3 trang" in html


def test_the_preview_lists_the_problems_of_a_bad_definition(client, personas, version):
    version.eform = {"version": 1, "title": "Hỏng", "sections": "x"}
    version.save(update_fields=["eform"])
    force_login_verified(client, personas.sysadmin)

    html = client.get(preview_url(version)).content.decode()
    assert "“sections” phải là một danh sách có ít nhất một phần." in html
    assert '<form method="post"' not in html


def test_the_preview_is_for_staff_with_the_right_to_see_versions(client, personas, version):
    client.force_login(personas.citizen)
    response = client.get(preview_url(version))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

    staff = UserFactory(officer=True, is_staff=True)
    client.logout()
    force_login_verified(client, staff)
    assert client.get(preview_url(version)).status_code == 403


# --- In a browser: eform.js is an enhancement on top of a form that already works -----------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_conditions_hide_and_show_and_wards_follow_the_province(browser, live_server, screenshot):
    import axe_playwright_python
    from django.test import Client
    from playwright.sync_api import expect

    from dichvucong.catalog.tests.factories import make_procedure

    procedure = make_procedure(
        "2.000815", "Chứng thực bản sao từ bản chính", field="CT", eform=load("chung_thuc_ban_sao")
    )
    admin = UserFactory(username="quantri.eform", sysadmin=True)
    client = Client()
    force_login_verified(client, admin)
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", bypass_csp=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(preview_url(procedure.current_version))

    language = page.locator("#id_tk-ten_ngon_ngu__muc")
    expect(language).to_be_hidden()
    page.get_by_label("Tiếng nước ngoài").check()
    expect(language).to_be_visible()
    page.get_by_label("Tiếng Việt").check()
    expect(language).to_be_hidden()

    expect(page.get_by_role("button", name="Cập nhật danh sách xã/phường")).to_be_hidden()
    page.locator("#id_tk-noi_cu_tru-province").select_option(str(HA_NOI))
    expect(page.locator("#id_tk-noi_cu_tru-ward option", has_text="Phường Ba Đình")).to_have_count(1)

    page.get_by_label("Họ, chữ đệm, tên người yêu cầu chứng thực").fill("Võ Thị Hồng")
    page.get_by_label("Số định danh cá nhân").fill("046199004455")
    page.locator("#id_tk-noi_cu_tru-ward").select_option(str(BA_DINH_HA_NOI))
    page.get_by_label("Tên giấy tờ, văn bản cần chứng thực").fill("Bằng tốt nghiệp đại học")
    page.get_by_label("Số trang của bản chính").fill("3")
    screenshot(page, "preview")
    page.get_by_role("button", name="Kiểm tra tờ khai").click()
    expect(page.get_by_text("Tờ khai hợp lệ.")).to_be_visible()
    expect(page.locator("pre")).to_contain_text('"ward_code": 4')

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).with_name("axe.min.js")))
    result = page.evaluate("async () => await axe.run('[data-eform]', {resultTypes: ['violations']})")
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_table_grows_row_by_row_and_errors_link_to_their_inputs(browser, live_server, screenshot):
    from django.test import Client
    from playwright.sync_api import expect

    from dichvucong.catalog.tests.factories import make_procedure

    procedure = make_procedure(
        "2.000488", "Cấp Phiếu lý lịch tư pháp", field="LLTP", eform=load("cap_phieu_ly_lich_tu_phap")
    )
    client = Client()
    force_login_verified(client, UserFactory(username="quantri.eform2", sysadmin=True))
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(preview_url(procedure.current_version))

    page.get_by_label("Từ tháng, năm, dòng 1").fill("07/2015")
    page.get_by_role("button", name="Thêm dòng").click()
    expect(page.get_by_label("Từ tháng, năm, dòng 1")).to_have_value("07/2015")
    expect(page.get_by_label("Chỗ ở, dòng 2")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)

    page.get_by_label("Chỗ ở, dòng 2").fill("Huế")
    page.get_by_role("button", name="Kiểm tra tờ khai").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Quá trình cư trú – Từ tháng, năm, dòng 2: Vui lòng nhập thông tin này.")
    screenshot(page, "errors")
    summary.get_by_role("link", name="Quá trình cư trú – Từ tháng, năm, dòng 2").click()
    expect(page.get_by_label("Từ tháng, năm, dòng 2")).to_be_focused()
    context.close()


# --- Drafts and stored payloads (the dossier form saves drafts, sends stored payloads) -----------


@pytest.mark.parametrize("name", DEMO_EFORMS)
def test_a_valid_stored_payload_has_no_problems(name):
    _make, payload = SUBMISSIONS[name]
    assert payload_problems(load(name), payload) == []


def test_a_stored_payload_is_checked_by_the_same_rules_as_the_form():
    definition = load("dang_ky_khai_sinh")
    _make, payload = SUBMISSIONS["dang_ky_khai_sinh"]
    broken = {**payload, "ho_ten_nguoi_yeu_cau": "", "so_dinh_danh_nguoi_yeu_cau": "12345"}
    problems = payload_problems(definition, broken)
    labels = {p["label"] for p in problems}
    assert any("Họ, chữ đệm, tên" in label or "Họ và tên" in label for label in labels), problems
    assert len(problems) >= 2
    assert payload_problems(definition, {}) != []


def test_a_draft_keeps_what_is_valid_and_names_what_is_not():
    definition = load("dang_ky_khai_sinh")
    data = {**khai_sinh_data()}
    data["tk-so_dinh_danh_nguoi_yeu_cau"] = "12345"  # a CCCD needs 12 digits
    data["tk-ho_ten_nguoi_yeu_cau"] = ""  # empty: fine for a draft
    form = build_form(definition, data=data)
    payload, rejected = form.draft_payload()
    assert payload["ho_ten_nguoi_yeu_cau"] == ""
    assert "so_dinh_danh_nguoi_yeu_cau" not in payload
    assert len(rejected) == 1
    assert payload["quan_he_voi_nguoi_duoc_khai_sinh"] == "Cha"
    # The draft opens again with what was kept.
    reopened = build_form(definition, initial=payload)
    assert reopened["quan_he_voi_nguoi_duoc_khai_sinh"].value() == "Cha"
