import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from customers.models import EntityLogo, LegalEntity

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:customers_legalentity_changelist")
ADD = reverse("admin:customers_legalentity_add")


def _change(entity):
    return reverse("admin:customers_legalentity_change", args=[entity.pk])


def _image(kind="PNG", size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def _upload(data, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _form(entity=None, **overrides):
    data = {"name": "Acme GmbH", "default_currency": "EUR", "address_country": "DE"}
    if entity is not None:
        data.update(name=entity.name, default_currency=entity.default_currency)
        if entity.is_default:
            data["is_default"] = "on"
    data.update(overrides)
    return data


@pytest.fixture(params=["admin_client", "billing_client"])
def staff_client(request):
    return request.getfixturevalue(request.param)


def test_changelist_and_change_page_render_for_staff(staff_client):
    entity = LegalEntity.objects.default()
    page = staff_client.get(CHANGELIST).content.decode()
    assert entity.name in page
    page = staff_client.get(_change(entity)).content.decode()
    assert 'name="logo_upload"' in page and 'enctype="multipart/form-data"' in page
    assert staff_client.get(ADD).status_code == 200


def test_support_sees_legal_entities_but_cannot_change_them(support_client):
    entity = LegalEntity.objects.default()
    page = support_client.get(_change(entity)).content.decode()
    assert entity.name in page and 'name="_save"' not in page
    assert support_client.post(_change(entity), _form(entity, name="X")).status_code == 403
    assert support_client.get(ADD).status_code == 403


def test_nobody_deletes_a_legal_entity_in_the_admin(admin_client):
    entity = LegalEntity.objects.default()
    url = reverse("admin:customers_legalentity_delete", args=[entity.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert LegalEntity.objects.filter(pk=entity.pk).exists()


@pytest.mark.parametrize(("kind", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_uploaded_logo_is_stored_by_its_sha256_and_previewed(billing_client, kind, content_type):
    data = _image(kind)
    response = billing_client.post(ADD, _form(logo_upload=_upload(data, f"logo.{kind}")))
    assert response.status_code == 302, response.content.decode()[:3000]
    entity = LegalEntity.objects.get(name="Acme GmbH")
    assert entity.logo_id == hashlib.sha256(data).hexdigest()
    assert entity.logo.content_type == content_type and bytes(entity.logo.data) == data
    page = billing_client.get(_change(entity)).content.decode()
    assert f'<img src="data:{content_type};base64,' in page


def test_the_same_logo_twice_is_stored_once(billing_client):
    data = _image()
    first = LegalEntity.objects.default()
    for entity in [first, None]:
        url = _change(entity) if entity else ADD
        response = billing_client.post(url, _form(entity, logo_upload=_upload(data)))
        assert response.status_code == 302, response.content.decode()[:3000]
    assert EntityLogo.objects.count() == 1
    assert set(LegalEntity.objects.values_list("logo", flat=True)) == {EntityLogo.objects.get().pk}


def test_a_new_logo_keeps_the_old_one_for_issued_invoices(billing_client):
    entity = LegalEntity.objects.default()
    billing_client.post(_change(entity), _form(entity, logo_upload=_upload(_image())))
    old = LegalEntity.objects.get(pk=entity.pk).logo
    new_data = _image(size=(10, 10))
    billing_client.post(_change(entity), _form(entity, logo_upload=_upload(new_data)))
    entity.refresh_from_db()
    assert entity.logo_id == hashlib.sha256(new_data).hexdigest()
    assert EntityLogo.objects.filter(pk=old.pk).exists()


def test_logo_can_be_removed(billing_client):
    entity = LegalEntity.objects.default()
    billing_client.post(_change(entity), _form(entity, logo_upload=_upload(_image())))
    response = billing_client.post(_change(entity), _form(entity, remove_logo="on"))
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.logo is None


def _logo_errors(client, upload):
    response = client.post(ADD, _form(logo_upload=upload))
    assert response.status_code == 200
    assert not LegalEntity.objects.filter(name="Acme GmbH").exists()
    assert not EntityLogo.objects.exists()
    return response.context["adminform"].form.errors["logo_upload"]


def test_a_file_that_is_not_an_image_is_refused(billing_client):
    upload = _upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png")
    assert _logo_errors(billing_client, upload) == ["Upload a PNG or JPEG image."]


def test_an_image_in_another_format_is_refused(billing_client):
    upload = _upload(_image("GIF"), "logo.png")
    assert _logo_errors(billing_client, upload) == ["Upload a PNG or JPEG image."]


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
@pytest.mark.parametrize("lenient_pillow", [False, True])
def test_a_truncated_image_is_refused(billing_client, monkeypatch, kind, lenient_pillow):
    # WeasyPrint sets LOAD_TRUNCATED_IMAGES when it is imported: the check must hold either way.
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient_pillow)
    data = _image(kind, size=(200, 200))
    assert _logo_errors(billing_client, _upload(data[: len(data) // 2], "logo.img")) == [
        "Upload a PNG or JPEG image."
    ]


def test_a_logo_over_512_kb_is_refused(billing_client):
    data = _image() + b"\0" * (512 * 1024)
    assert _logo_errors(billing_client, _upload(data)) == ["Upload a logo of at most 512 KB."]


def test_a_logo_of_huge_dimensions_is_refused(billing_client):
    upload = _upload(_image(size=(5000, 10)))
    assert _logo_errors(billing_client, upload) == ["Upload a logo of at most 4000 × 4000 pixels."]


def test_making_an_entity_the_default_takes_it_from_the_old_one(billing_client):
    old = LegalEntity.objects.default()
    response = billing_client.post(ADD, _form(is_default="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(LegalEntity.objects.filter(is_default=True)) == [
        LegalEntity.objects.get(name="Acme GmbH")
    ]
    old.refresh_from_db()
    assert not old.is_default


def test_the_default_entity_stays_default_until_another_one_is(billing_client):
    entity = LegalEntity.objects.default()
    data = _form(entity)
    del data["is_default"]
    response = billing_client.post(_change(entity), data)
    assert response.status_code == 200
    assert "make another one the default" in response.content.decode()
    entity.refresh_from_db()
    assert entity.is_default
