"""The model's own validation, run by save_revision(), answers on the form (200 with
the errors, nothing saved) instead of a 500: a revert posted without the form's fields
(found by the admin authorisation matrix)."""

import pytest
from django.urls import reverse
from wagtail.models import Revision

from directory.accounts.roles import SECRETARIAT
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

NS = "wagtailsnippets_faminavi_article"


@pytest.fixture
def secretariat_client(client):
    client.force_login(UserFactory(groups=[SECRETARIAT], is_staff=True))
    return client


def test_a_revert_posted_without_fields_is_refused_on_the_form(secretariat_client, osaka_city):
    article = ArticleFactory(municipality=osaka_city, title="子育て広場のお知らせ")
    revision = article.save_revision()
    revisions = Revision.objects.count()

    response = secretariat_client.post(
        reverse(f"{NS}:revisions_revert", args=[article.pk, revision.pk]), {})

    assert response.status_code == 200
    assert "空ではいけません" in response.content.decode()
    assert Revision.objects.count() == revisions
