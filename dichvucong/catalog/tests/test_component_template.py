"""A component's template form (mẫu đơn) is served by the portal from whatever storage holds it: a link
to the storage's own URL breaks in production (nothing serves /media/ on local disk; on S3 it is a
pre-signed address of an endpoint the public may not reach)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from dichvucong.catalog.tests.factories import make_procedure

pytestmark = pytest.mark.django_db

TEMPLATE = b"PK\x03\x04 mau don de nghi"


@pytest.fixture
def with_template(personas):
    procedure = make_procedure(
        "1.001193",
        "Đăng ký khai sinh",
        agencies=[personas.agency_a.code],
        components=[{"name": "Tờ khai đăng ký khai sinh", "required": True}, {"name": "Giấy chứng sinh"}],
    )
    component = procedure.current_version.components.order_by("order", "pk").first()
    component.template_name = "Mẫu tờ khai"
    component.template_file.save("to-khai-khai-sinh.docx", ContentFile(TEMPLATE), save=True)
    return procedure, component


def test_the_detail_page_links_the_template_through_the_portal_and_it_downloads(client, with_template):
    procedure, component = with_template
    url = reverse("catalog:component_template", args=[procedure.code, component.pk])

    assert f'href="{url}"' in client.get(reverse("catalog:detail", args=[procedure.code])).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TEMPLATE
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_gives_the_same_address(client, with_template):
    procedure, component = with_template
    listed = client.get(f"/api/v1/procedures/{procedure.code}/components").json()
    assert listed[0]["template_url"] == reverse("catalog:component_template", args=[procedure.code, component.pk])
    assert listed[1]["template_url"] is None


def test_a_component_without_template_or_of_another_procedure_is_404(client, personas, with_template):
    procedure, component = with_template
    other = make_procedure("1.000894", "Đăng ký kết hôn", agencies=[personas.agency_a.code])
    no_template = procedure.current_version.components.exclude(pk=component.pk).get()

    assert client.get(reverse("catalog:component_template", args=[other.code, component.pk])).status_code == 404
    assert client.get(reverse("catalog:component_template", args=[procedure.code, no_template.pk])).status_code == 404
    assert client.get(reverse("catalog:component_template", args=["9.999999", component.pk])).status_code == 404
