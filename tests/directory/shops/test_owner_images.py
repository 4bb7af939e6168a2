"""A shop owner's images (issue 16, finding 2): each owner sees, chooses and
attaches only their own uploads; an image a published shop shows cannot be
replaced or deleted by its owner (a new picture is a new upload that the shop's
draft references and the secretariat approves); the admin API lists nothing out
of scope."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection

from directory.accounts import roles
from directory.shops.models import Shop, ShopImage
from tests.directory.shops.owner_helpers import SHOP_NS, get_edit_form
from tests.factories import OwnerFactory, ShopBenefitFactory, UserFactory, owner_with_shop

pytestmark = pytest.mark.django_db
Image = get_image_model()


def jpeg(colour="orange") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (32, 24), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(user, title, colour="orange"):
    image = Image(title=title, uploaded_by_user=user,
                  collection=Collection.objects.get(name="協賛店"),
                  file=SimpleUploadedFile(f"{title}.jpg", jpeg(colour)))
    image.save()
    return image


@pytest.fixture
def owners(masters):
    owner, shop = owner_with_shop(name="写真の店")
    ShopBenefitFactory(shop=shop)
    own_image = upload(owner.user, "わたしの外観")
    ShopImage.objects.create(shop=shop, image=own_image, alt_text="外観")
    shop.save_revision().publish()
    other_owner, _other_shop = owner_with_shop(name="よその店")
    other_image = upload(other_owner.user, "よその内装写真")
    client = Client()
    client.force_login(owner.user)
    return {"owner": owner, "shop": shop, "own_image": own_image, "client": client,
            "other_owner": other_owner, "other_image": other_image}


def api_text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def test_owner_cannot_replace_the_file_of_an_image_a_published_shop_shows(owners):
    image = owners["own_image"]
    before = (image.file.name, image.file_hash, image.title)
    response = owners["client"].post(reverse("wagtailimages:edit", args=[image.pk]), {
        "title": "差し替え", "collection": str(image.collection_id),
        "file": SimpleUploadedFile("new.jpg", jpeg("black"), content_type="image/jpeg"),
    })
    assert response.status_code in (302, 403)
    image.refresh_from_db()
    assert (image.file.name, image.file_hash, image.title) == before
    for name in ("wagtailimages:delete", "wagtailimages:edit_multiple",
                 "wagtailimages:delete_multiple"):
        owners["client"].post(reverse(name, args=[image.pk]), {})
    assert Image.objects.filter(pk=image.pk).exists()
    assert ShopImage.objects.filter(image=image).exists()


def test_owner_may_still_edit_an_upload_no_shop_shows(owners):
    spare = upload(owners["owner"].user, "まだ使っていない写真")
    response = owners["client"].post(reverse("wagtailimages:edit", args=[spare.pk]), {
        "title": "新しい名前", "collection": str(spare.collection_id)})
    assert response.status_code == 302
    spare.refresh_from_db()
    assert spare.title == "新しい名前"


def test_owner_sees_and_chooses_only_their_own_images(owners):
    client = owners["client"]
    for url in (reverse("wagtailimages:index"), reverse("wagtailimages_chooser:choose"),
                reverse("wagtailimages_chooser:choose_results")):
        response = client.get(url)
        body = response.content.decode()
        assert "よその内装写真" not in body, url
    other = owners["other_image"].pk
    for url in (reverse("wagtailimages:edit", args=[other]),
                reverse("wagtailimages_chooser:chosen", args=[other]),
                reverse("wagtailimages:image_usage", args=[other]),
                reverse("wagtailimages:url_generator", args=[other])):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "よその内装写真" not in response.content.decode(), url


def test_owner_cannot_attach_another_owners_image_by_id(owners):
    client, shop = owners["client"], owners["shop"]
    url = reverse(f"{SHOP_NS}:edit", args=[shop.pk])
    data = get_edit_form(client, url)
    data.update({"images-TOTAL_FORMS": "2", "images-1-image": str(owners["other_image"].pk),
                 "images-1-alt_text": "盗用", "images-1-ORDER": "2", "images-1-id": ""})
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    shop.refresh_from_db()
    revision = shop.latest_revision
    assert owners["other_image"].pk not in [row["image"] for row in
                                            revision.content.get("images", [])]
    # Their own new upload is accepted in the draft, and the public shop is unchanged.
    mine = upload(owners["owner"].user, "新しい外観")
    data["images-1-image"] = str(mine.pk)
    assert client.post(url, data).status_code == 302
    shop.refresh_from_db()
    assert mine.pk in [row["image"] for row in shop.latest_revision.content["images"]]
    assert list(ShopImage.objects.filter(shop=shop).values_list("image_id", flat=True)) == [
        owners["own_image"].pk]


@pytest.mark.parametrize("endpoint", ["images", "documents"])
def test_admin_api_lists_only_what_the_user_may_choose(owners, endpoint):
    response = owners["client"].get(f"/admin/api/main/{endpoint}/")
    assert response.status_code == 200
    body = api_text(response)
    assert "よその内装写真" not in body
    if endpoint == "images":
        assert "わたしの外観" in body
    detail = owners["client"].get(f"/admin/api/main/images/{owners['other_image'].pk}/")
    assert detail.status_code == 404


def test_a_self_registered_shop_account_sees_no_image(masters, owners):
    client = Client()
    client.force_login(OwnerFactory().user)
    body = api_text(client.get("/admin/api/main/images/"))
    assert "わたしの外観" not in body and "よその内装写真" not in body
    assert "よその内装写真" not in client.get(
        reverse("wagtailimages_chooser:choose_results")).content.decode()


def test_secretariat_still_sees_every_image(owners):
    client = Client()
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    body = api_text(client.get("/admin/api/main/images/"))
    assert "よその内装写真" in body and "わたしの外観" in body
    assert Shop.objects.get(pk=owners["shop"].pk).live
