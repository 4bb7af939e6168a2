"""Deleting a master that other rows still use: the database refuses (PROTECT), and
the secretariat is told why on the delete page instead of getting a 500, even where
Wagtail's reference index never saw the reference (rows written in bulk)."""

import pytest
from django.urls import reverse
from wagtail.models import ReferenceIndex

from directory.accounts.roles import SECRETARIAT
from directory.masters.models import Area, Municipality
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_deleting_an_area_still_used_is_explained_and_deletes_nothing(client, masters):
    area = Area.objects.get(code="osaka-city")
    assert Municipality.objects.filter(area=area).exists()
    ReferenceIndex.objects.all().delete()  # as after a bulk load: the index knows nothing
    client.force_login(UserFactory(groups=[SECRETARIAT], is_staff=True))
    url = reverse("wagtailsnippets_masters_area:delete", args=[area.pk])

    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url
    assert "ほかのデータで使われているため削除できません" in response.content.decode()
    assert Area.objects.filter(pk=area.pk).exists()


def test_an_unused_master_is_deleted(client, masters):
    area = Area.objects.create(code="unused", name="使われていない地域", kana="つかわれていない")
    client.force_login(UserFactory(groups=[SECRETARIAT], is_staff=True))
    response = client.post(reverse("wagtailsnippets_masters_area:delete", args=[area.pk]))
    assert response.status_code == 302
    assert not Area.objects.filter(pk=area.pk).exists()
