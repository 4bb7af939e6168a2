"""`manage.py api_fuzz_seed`: what `make api-fuzz` needs on a scratch database —
API tokens for a secretariat account, a member and a shop owner, shops awaiting
approval (so the approval endpoint has something to approve), and the ids of
objects each role may act on. Prints one line of JSON:

    {"tokens": {"secretariat": "pp_…", "member": "pp_…", "owner": "pp_…"},
     "ids": {"pending_shop": 1, "shop": 7, "event": 1, "article": 1, "news": 5,
             "campaign": 1}}

Never on a production site: it creates an account with a known address.
"""

import json
import os

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from api.tokens import api_token_issue
from cms_pages.models import NewsPage
from directory.accounts.models import User
from directory.accounts.roles import SECRETARIAT, SHOP_OWNER
from directory.events.models import Event
from directory.faminavi.models import Article
from directory.members.models import Member
from directory.shops.models import Owner, OwnerShop, Shop
from notifications.models import Campaign

FUZZ_EMAIL = "api-fuzz-secretariat@example.invalid"
FUZZ_OWNER_EMAIL = "api-fuzz-owner@example.invalid"


class Command(BaseCommand):
    help = "Seed a scratch database for the API fuzz run and print a secretariat token."

    def add_arguments(self, parser):
        parser.add_argument("--pending", type=int, default=5,
                            help="How many shops to put in the approval workflow.")

    @transaction.atomic
    def handle(self, *args, **options):
        module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if module.endswith(".production"):
            raise CommandError("api_fuzz_seed never runs under production settings.")
        secretariat, _ = User.objects.get_or_create(email=FUZZ_EMAIL,
                                                    defaults={"is_staff": True})
        secretariat.groups.add(Group.objects.get(name=SECRETARIAT))
        owner_user, _ = User.objects.get_or_create(email=FUZZ_OWNER_EMAIL)
        owner_user.groups.add(Group.objects.get(name=SHOP_OWNER))
        owner, _ = Owner.objects.get_or_create(user=owner_user, defaults={"name": "fuzz"})
        live = list(Shop.objects.filter(live=True).order_by("pk")[: options["pending"] + 1])
        for shop in live[:-1]:
            OwnerShop.objects.get_or_create(owner=owner, shop=shop)
            if shop.current_workflow_state is None and shop.get_workflow() is not None:
                shop.save_revision(user=owner_user)
                shop.get_workflow().start(shop, owner_user)
        editable = live[-1]
        OwnerShop.objects.get_or_create(owner=owner, shop=editable)
        editable.save_revision(user=owner_user)
        member = Member.objects.select_related("user").order_by("pk").first()
        event = Event.objects.order_by("pk").first()
        article = Article.objects.order_by("pk").first()
        for item in (event, article):
            if item is not None and item.latest_revision_id is None:
                item.save_revision()
        campaign, _ = Campaign.objects.get_or_create(
            title="api fuzz", defaults={"body": "fuzz", "created_by": secretariat})
        news = NewsPage.objects.order_by("pk").first()
        self.stdout.write(json.dumps({
            "tokens": {
                "secretariat": api_token_issue(user=secretariat, name="schemathesis")[1],
                "member": api_token_issue(user=member.user, name="schemathesis")[1]
                if member else "",
                "owner": api_token_issue(user=owner_user, name="schemathesis")[1],
            },
            "ids": {
                "pending_shop": live[0].pk, "shop": editable.pk,
                "event": event.pk if event else 1, "article": article.pk if article else 1,
                "news": news.pk if news else 1, "campaign": campaign.pk,
            },
        }))
