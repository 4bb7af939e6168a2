"""Completeness and bad input in a shop owner's application (the admin shop form
and image upload): refused with a Japanese message, nothing saved half-way."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection, Revision, WorkflowState

from directory.masters.models import Programme
from directory.shops.images import has_gps
from directory.shops.models import Shop, ShopBenefit
from tests.directory.shops.owner_helpers import SHOP_NS, new_shop_form
from tests.factories import OwnerFactory, ShopBenefitFactory, owner_with_shop

pytestmark = pytest.mark.django_db
def add_url():
    return reverse(f"{SHOP_NS}:add")


@pytest.fixture
def owner(masters):
    return OwnerFactory()


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner.user)
    return client


def _counts():
    return Shop.objects.count(), ShopBenefit.objects.count(), Revision.objects.count()


def _no_benefit(**overrides):
    return {"benefits-TOTAL_FORMS": "0", **overrides}


def test_submitting_without_any_benefit_is_refused(owner_client, osaka_city):
    before = _counts()
    data = new_shop_form(osaka_city, **_no_benefit(**{"action-submit": "1"}))
    for key in [k for k in data if k.startswith("benefits-0-")]:
        data.pop(key)
    response = owner_client.post(add_url(), data)
    assert response.status_code == 200
    assert "参加する制度ごとに特典を入力してください" in response.content.decode()
    assert _counts() == before


def test_a_draft_may_still_be_incomplete(owner_client, osaka_city, owner):
    data = new_shop_form(osaka_city, name="準備中の店", **_no_benefit())
    for key in [k for k in data if k.startswith("benefits-0-")]:
        data.pop(key)
    response = owner_client.post(add_url(), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    shop = Shop.objects.get(name="準備中の店")
    assert not shop.live and not WorkflowState.objects.for_instance(shop).exists()
    assert shop.owners.get() == owner


def test_a_programme_with_its_benefit_left_empty_is_refused(owner_client, osaka_city):
    before = _counts()
    data = new_shop_form(osaka_city, **{"benefits-0-title": "", "action-submit": "1"})
    response = owner_client.post(add_url(), data)
    assert response.status_code == 200
    assert "この項目は必須です" in response.content.decode()
    assert _counts() == before


def test_the_same_programme_twice_is_refused_without_a_server_error(owner_client, osaka_city):
    before = _counts()
    maido = str(Programme.objects.get(code="maido").pk)
    data = new_shop_form(osaka_city, **{
        "benefits-TOTAL_FORMS": "2", "benefits-1-programme": maido,
        "benefits-1-title": "もう一つ", "benefits-1-detail": "", "benefits-1-ORDER": "2",
        "action-submit": "1",
    })
    response = owner_client.post(add_url(), data)
    assert response.status_code == 200
    assert _counts() == before


def test_a_branch_may_rely_on_its_heads_benefit_for_all_branches(owner_client, owner, osaka_city):
    _head_owner, head = owner_with_shop(name="チェーン本部", is_chain_head=True)
    ShopBenefitFactory(shop=head, title="全店で5%引き", applies_to_branches=True)
    head.save_revision().publish()
    head.refresh_from_db()
    data = new_shop_form(osaka_city, name="チェーン梅田店", parent=str(head.pk),
                         **_no_benefit(**{"action-submit": "1"}))
    for key in [k for k in data if k.startswith("benefits-0-")]:
        data.pop(key)
    response = owner_client.post(add_url(), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    branch = Shop.objects.get(name="チェーン梅田店")
    assert branch.workflow_in_progress
    assert [b.title for b in branch.effective_benefits()] == ["全店で5%引き"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("postcode", "5408570", "郵便番号"),
    ("phone", "06-abc", "電話番号"),
    ("latitude", "95", "緯度"),
    ("longitude", "", "緯度と経度"),
    ("url", "not a url", "URL"),
])
def test_owner_bad_input_is_refused_in_japanese(owner_client, osaka_city, field, value, message):
    before = _counts()
    response = owner_client.post(add_url(), new_shop_form(osaka_city, **{field: value,
                                                                      "action-submit": "1"}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _counts() == before


# --- images --------------------------------------------------------------------------------


def _jpeg_with_gps(size=(64, 48)) -> bytes:
    exif = PILImage.Exif()
    exif[0x0112] = 1  # orientation: kept
    exif[0x010F] = "TestCam"  # make: kept
    exif[0x8825] = {1: "N", 2: (34.0, 41.0, 10.5), 3: "E", 4: (135.0, 31.0, 12.0)}
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "orange").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _shop_collection():
    return Collection.objects.get(name="協賛店")


def _upload(client, name, data, content_type="image/jpeg"):
    return client.post(reverse("wagtailimages:add"), {
        "title": "店内の写真",
        "file": SimpleUploadedFile(name, data, content_type=content_type),
        "collection": str(_shop_collection().pk),
    })


def test_owner_uploads_a_photo_and_its_gps_location_is_removed(owner_client, owner):
    data = _jpeg_with_gps()
    assert has_gps(data)
    response = _upload(owner_client, "tenpo.jpg", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    image = get_image_model().objects.get(title="店内の写真")
    assert image.uploaded_by_user == owner.user and image.collection == _shop_collection()
    with image.open_file() as stored:
        stored_bytes = stored.read()
    assert not has_gps(stored_bytes)
    exif = PILImage.open(io.BytesIO(stored_bytes)).getexif()
    assert exif.get(0x010F) == "TestCam"
    assert (image.width, image.height) == (64, 48)
    assert image.file_size == len(stored_bytes)


def test_owner_upload_through_the_chooser_also_loses_the_location(owner_client):
    response = owner_client.post(reverse("wagtailimages_chooser:create"), {
        "image-chooser-upload-title": "外観",
        "image-chooser-upload-file": SimpleUploadedFile("gaikan.jpg", _jpeg_with_gps(),
                                                         content_type="image/jpeg"),
        "image-chooser-upload-collection": str(_shop_collection().pk),
    })
    assert response.status_code == 200
    image = get_image_model().objects.get(title="外観")
    with image.open_file() as stored:
        assert not has_gps(stored.read())


def test_a_file_that_is_not_an_image_is_refused_in_japanese(owner_client):
    response = _upload(owner_client, "menu.jpg", b"%PDF-1.4 this is not a picture",
                       content_type="image/jpeg")
    assert response.status_code == 200
    html = response.content.decode()
    assert "有効な画像をアップロードしてください" in html
    assert not get_image_model().objects.exists()


def test_an_image_over_5_mb_is_refused_in_japanese(owner_client):
    buffer = io.BytesIO()
    # Random pixels do not compress: a 1600×1200 PNG of noise is about 5.8 MB.
    noise = PILImage.frombytes("RGB", (1600, 1200), __import__("os").urandom(1600 * 1200 * 3))
    noise.save(buffer, "PNG")
    assert buffer.tell() > 5 * 1024 * 1024
    response = _upload(owner_client, "big.png", buffer.getvalue(), content_type="image/png")
    assert response.status_code == 200
    assert "大きすぎます" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_owner_image_chooser_lists_only_their_own_uploads(owner_client, owner):
    other = OwnerFactory()
    other_client = Client()
    other_client.force_login(other.user)
    _upload(other_client, "other.jpg", _jpeg_with_gps())
    get_image_model().objects.filter(title="店内の写真").update(title="よその写真")
    _upload(owner_client, "mine.jpg", _jpeg_with_gps())
    response = owner_client.get(reverse("wagtailimages_chooser:choose"))
    html = response.json()["html"]
    assert "店内の写真" in html and "よその写真" not in html


def test_the_chain_head_cannot_be_another_owners_unpublished_shop(owner_client, osaka_city):
    _other_owner, hidden = owner_with_shop(name="よその未公開本部", is_chain_head=True,
                                           live=False)
    before = _counts()
    response = owner_client.post(add_url(), new_shop_form(
        osaka_city, parent=str(hidden.pk), **{"action-submit": "1"}))
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode() or \
        "選択" in response.content.decode()
    assert _counts() == before


# --- images with alternative text in the shop form -------------------------------------


def _image_rows(image_pk, alt_text):
    return {
        "images-TOTAL_FORMS": "1",
        "images-0-id": "",
        "images-0-ORDER": "1",
        "images-0-image": str(image_pk),
        "images-0-alt_text": alt_text,
    }


def _uploaded_image(client):
    response = _upload(client, "tenpo.jpg", _jpeg_with_gps((320, 240)))
    assert response.status_code == 302, response.content.decode()[:2000]
    return get_image_model().objects.get(title="店内の写真")


def test_a_shop_image_with_alt_text_is_saved_and_published_with_its_alt_attribute(
    owner_client, osaka_city, secretariat, client
):
    from tests.directory.shops.owner_helpers import workflow_action_url

    image = _uploaded_image(owner_client)
    response = owner_client.post(add_url(), new_shop_form(
        osaka_city, **_image_rows(image.pk, "木のぬくもりのある店内の様子"),
        **{"action-submit": "1"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    shop = Shop.objects.get(name="カフェ・しんき")
    assert [(row.image_id, row.alt_text) for row in shop.images.all()] == [
        (image.pk, "木のぬくもりのある店内の様子")]
    detail = reverse("shops:detail", args=[shop.pk])
    assert client.get(detail).status_code == 404  # nothing public before approval

    secretariat_client = Client()
    secretariat_client.force_login(secretariat)
    response = secretariat_client.post(workflow_action_url(shop, "approve"))
    assert response.status_code == 302

    response = client.get(detail)
    assert response.status_code == 200
    html = response.content.decode()
    img = re.search(r'<img[^>]*class="p-detail__image"[^>]*>', html) or re.search(
        r'<img[^>]*alt="木のぬくもりのある店内の様子"[^>]*>', html)
    assert img, html[:3000]
    assert 'alt="木のぬくもりのある店内の様子"' in img.group(0)


@pytest.mark.parametrize("alt_text", ["", "   "])
def test_a_shop_image_without_alt_text_is_refused_and_nothing_is_saved(
    owner_client, osaka_city, alt_text
):
    image = _uploaded_image(owner_client)
    before = _counts()
    response = owner_client.post(add_url(), new_shop_form(
        osaka_city, **_image_rows(image.pk, alt_text), **{"action-submit": "1"}))
    assert response.status_code == 200
    html = response.content.decode()
    # The error is shown at the alternative text field, in Japanese.
    field = html[html.index('for="id_images-0-alt_text"'):]
    field = field[:field.index('name="images-0-alt_text"')]
    assert "この項目は必須です" in field
    assert _counts() == before
    assert not Shop.objects.filter(name="カフェ・しんき").exists()
