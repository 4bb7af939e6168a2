"""Shop accounts (協賛店アカウント): provisional registration by e-mail, then a
password and the contact's name and phone → a User in the 協賛店オーナー group
and an Owner row. The shop owner then signs in through the Wagtail admin login.

The building blocks are the member side's (directory/accounts): the link token
(`tokens`), the link-problem states, `absolute_url`, `LinkError`, the link
lifetime. Only what differs lives here: a separate request table
(`ShopAccountRequest`, so a shop link never completes a member sign-up) and
the group membership. As on the member side, no function tells its caller
whether an address is registered in a way a response could leak: an address
that already has an account gets a different e-mail instead of a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from directory.accounts import roles
from directory.accounts.models import User
from directory.accounts.services import LinkError, absolute_url, signup_link_hours
from directory.accounts.tokens import token_generate, token_hash, token_is_plausible
from directory.shops.models import Owner, ShopAccountRequest

TASK_PREFIX = "directory.shops.tasks."


@dataclass(frozen=True)
class OwnerContact:
    name: str
    phone: str = ""


def join_link_hours() -> int:
    return signup_link_hours()


# --- reads ------------------------------------------------------------------------------------


def shop_account_request_by_token(*, token: str) -> ShopAccountRequest | None:
    if not token_is_plausible(token):
        return None
    return ShopAccountRequest.objects.filter(token_hash=token_hash(token)).first()


def shop_account_request_state(request: ShopAccountRequest | None) -> str:
    """"valid", or why the link cannot be used: invalid, used or expired."""
    if request is None:
        return "invalid"
    if request.used_at is not None or User.objects.filter(email__iexact=request.email).exists():
        return "used"
    if request.is_expired:
        return "expired"
    return "valid"


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def shop_account_request_create(*, email: str,
                                language: str | None = None) -> ShopAccountRequest | None:
    """仮登録: mail a single-use link to `email`. For an address that already has an
    account, no request is stored and a mail saying how to sign in goes out instead;
    the caller shows the same "sent" page either way."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        async_task(
            f"{TASK_PREFIX}send_join_already_registered_email", email=email,
            login_url=absolute_url(reverse("wagtailadmin_login")),
            password_reset_url=absolute_url(reverse("wagtailadmin_password_reset")),
            language=language,
        )
        return None
    raw_token, hashed = token_generate()
    account_request = ShopAccountRequest.objects.create(email=email, token_hash=hashed)
    async_task(
        f"{TASK_PREFIX}send_join_email", email=email,
        url=absolute_url(reverse("shop_join:confirm", kwargs={"token": raw_token})),
        hours=join_link_hours(), language=language,
    )
    return account_request


@transaction.atomic
def shop_account_complete(*, account_request: ShopAccountRequest, password: str,
                          contact: OwnerContact) -> Owner:
    """本登録: the User (in the shop owner group) and the Owner, in one transaction;
    every pending link of the address is used up. Raises LinkError (used, expired)
    when the link was used or expired meanwhile; nothing is saved then."""
    locked = (ShopAccountRequest.objects.select_for_update()
              .filter(pk=account_request.pk).first())
    if locked is None:
        raise LinkError("invalid")
    if locked.used_at is not None:
        raise LinkError("used")
    if locked.is_expired:
        raise LinkError("expired")
    if User.objects.filter(email__iexact=locked.email).exists():
        raise LinkError("used")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=locked.email, password=password)
    except IntegrityError as error:  # the same address registered concurrently
        raise LinkError("used") from error
    user.groups.add(Group.objects.get(name=roles.SHOP_OWNER))
    owner = Owner.objects.create(user=user, name=contact.name, phone=contact.phone)
    ShopAccountRequest.objects.filter(email__iexact=locked.email, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    async_task(f"{TASK_PREFIX}send_join_welcome_email", email=user.email,
               login_url=absolute_url(reverse("wagtailadmin_login")))
    return owner


@transaction.atomic
def shop_account_requests_prune(*, older_than_days: int = 30) -> int:
    """Delete provisional registrations older than `older_than_days` (used or not): they
    hold e-mail addresses and are useless once expired. Returns the count."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = ShopAccountRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
