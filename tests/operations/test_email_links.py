"""Every link in every e-mail points at the address the site is served on: with
`PORT=8080 make run` and no BASE_URL, the settings say :8080 and each mail (member
sign-up, shop registration, shop approval, password set-up after migration) links
there only. Before, BASE_URL defaulted to :8000 whatever the port, and every link
of a `PORT=8080 make run` mail was dead."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from directory.accounts import roles
from operations.models import LegacyPasswordSetup
from tests.directory.shops.owner_helpers import edit_url, post_edit, workflow_action_url
from tests.factories import OwnerFactory, ShopBenefitFactory, UserFactory, owner_with_shop

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"https?://[^\s<>\"'）」]+")


def _settings_value(name: str, **environment) -> str:
    """A setting as a fresh process started with `environment` (and no BASE_URL/PORT of
    the caller) reads it."""
    env = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "PORT")}
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings.base")
    code = f"from django.conf import settings; print(settings.{name})"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=True, timeout=120)
    return result.stdout.strip()


@pytest.fixture(scope="module")
def base_url_on_8080():
    return _settings_value("WAGTAILADMIN_BASE_URL", PORT="8080")


@pytest.fixture
def served_on_8080(settings, base_url_on_8080):
    settings.WAGTAILADMIN_BASE_URL = base_url_on_8080
    mail.outbox.clear()
    return base_url_on_8080


def _links(messages) -> list[str]:
    return [link for message in messages for link in URL.findall(message.body)]


def assert_every_link_on(base: str, messages) -> None:
    links = _links(messages)
    assert links, [message.body for message in messages]
    stray = [link for link in links if not link.startswith(base.rstrip("/") + "/")]
    assert not stray, stray


def test_the_default_address_follows_the_port():
    assert _settings_value("WAGTAILADMIN_BASE_URL", PORT="8080") == "http://127.0.0.1:8080"
    assert _settings_value("WAGTAILADMIN_BASE_URL") == "http://127.0.0.1:8000"
    # A configured address wins (production: https://… behind nginx on another port).
    assert _settings_value("WAGTAILADMIN_BASE_URL", PORT="8080",
                           BASE_URL="https://pass.example.jp") == "https://pass.example.jp"


def test_make_run_passes_its_port_to_the_server():
    result = subprocess.run(["make", "-n", "run", "PORT=8080"], cwd=ROOT, capture_output=True,
                            text=True, check=True, timeout=60)
    [serve] = [line for line in result.stdout.splitlines() if "runserver_with_worker" in line]
    assert "PORT=8080 " in serve and serve.endswith("127.0.0.1:8080")


@pytest.mark.django_db
@pytest.mark.parametrize("signup", ["accounts:signup", "shop_join:for_shops"],
                         ids=["member sign-up", "shop registration"])
def test_signup_mails_link_to_the_served_port(client, served_on_8080, masters, signup):
    response = client.post(reverse(signup), {"email": "hanako@example.jp", "agree_terms": "on"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert_every_link_on(served_on_8080, mail.outbox)


@pytest.mark.django_db
def test_shop_submission_and_approval_mails_link_to_the_served_port(served_on_8080, masters):
    UserFactory(groups=[roles.SECRETARIAT])
    owner, shop = owner_with_shop(name="ひまわり食堂")
    ShopBenefitFactory(shop=shop)
    shop.save_revision().publish()
    shop.refresh_from_db()
    owner_client, reviewer = Client(), Client()
    owner_client.force_login(owner.user)
    reviewer.force_login(UserFactory(groups=[roles.SECRETARIAT]))

    post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂 改装", action="submit")
    assert mail.outbox, "the secretariat is told of the submission"
    assert_every_link_on(served_on_8080, mail.outbox)

    mail.outbox.clear()
    shop.refresh_from_db()
    reviewer.post(workflow_action_url(shop, "approve"), {"comment": ""})
    approval = [message for message in mail.outbox if owner.user.email in message.to]
    assert len(approval) == 1
    assert f"/shops/{shop.pk}/" in approval[0].body
    assert_every_link_on(served_on_8080, approval)


@pytest.mark.django_db
def test_password_setup_mails_link_to_the_served_port(served_on_8080, masters,
                                                      django_capture_on_commit_callbacks):
    member = UserFactory(email="taro@example.jp")
    owner = OwnerFactory(user__email="owner2@example.jp")
    for user in (member, owner.user):
        LegacyPasswordSetup.objects.create(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_password_setup", "--batch", "10")
    assert {message.to[0] for message in mail.outbox} == {"taro@example.jp", "owner2@example.jp"}
    assert_every_link_on(served_on_8080, mail.outbox)
