"""Writes of the member side (HackSoft style): sign-up, e-mail change, login lockout, and
what follows any change of a sign-in address or password (for every account).

Sign-up is two steps (仮登録 → 本登録): `signup_request_create` stores a hash of a
fresh token and mails the link; `signup_complete` (after the link is followed)
creates the User and the Member in one transaction and marks the request used.
No function here tells its caller whether an address is registered in a way a
response could leak: the already-registered case sends a different mail instead.

Mails are queued with django-q2's ``async_task`` with plain values only. They are
queued directly rather than on commit: with the ORM broker the queue row is part
of the same transaction anyway, and each task carries everything it needs.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from directory.accounts import ratelimit
from directory.accounts.models import EmailChangeRequest, SignupRequest, User
from directory.accounts.tasks import TASK_PREFIX
from directory.accounts.tokens import token_generate
from directory.members.models import Member
from directory.members.services import ProfileData, member_create

LOGIN_ACCOUNT_SCOPE = "login-account"
LOGIN_IP_SCOPE = "login-ip"


class LinkError(Exception):
    """An e-mailed link that cannot be used: `reason` is invalid, expired, used or taken."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def absolute_url(path: str) -> str:
    """An absolute URL for e-mails, on the configured site address (BASE_URL), never on
    the request's Host header (which a client could choose)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def signup_link_hours() -> int:
    return int(settings.PORTAL.get("SIGNUP_LINK_HOURS", 24))


def email_change_link_hours() -> int:
    return int(settings.PORTAL.get("EMAIL_CHANGE_LINK_HOURS", 24))


def _email_registered(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _send_already_registered(*, email: str, language: str | None) -> None:
    async_task(
        f"{TASK_PREFIX}send_already_registered_email", email=email,
        login_url=absolute_url(reverse("accounts:login")),
        password_reset_url=absolute_url(reverse("accounts:password_reset")),
        language=language,
    )


# --- sign-up ------------------------------------------------------------------------------


@transaction.atomic
def signup_request_create(*, email: str, language: str | None = None) -> SignupRequest | None:
    """仮登録: mail a single-use sign-up link to `email`.

    For an address that already has an account no request is stored and a mail
    saying so (log in, or reset the password) goes out instead; the caller shows
    the same "sent" page either way. Returns the request, or None in that case.
    """
    email = email.strip().lower()
    if _email_registered(email):
        _send_already_registered(email=email, language=language)
        return None
    raw_token, hashed = token_generate()
    signup_request = SignupRequest.objects.create(email=email, token_hash=hashed)
    async_task(
        f"{TASK_PREFIX}send_signup_email", email=email,
        url=absolute_url(reverse("accounts:signup_confirm", kwargs={"token": raw_token})),
        hours=signup_link_hours(), language=language,
    )
    return signup_request


@transaction.atomic
def signup_link_resend(*, email: str, language: str | None = None) -> None:
    """Send a new link to an address that asked to sign up before (its earlier links
    stay valid until they expire). Registered address: the already-registered mail.
    An address that never asked gets nothing; the caller's page is the same."""
    email = email.strip().lower()
    if _email_registered(email):
        _send_already_registered(email=email, language=language)
        return
    if SignupRequest.objects.filter(email__iexact=email, used_at__isnull=True).exists():
        signup_request_create(email=email, language=language)


@transaction.atomic
def signup_complete(*, signup_request: SignupRequest, password: str,
                    profile: ProfileData) -> Member:
    """本登録: create the User and the Member (with a new member number) in one
    transaction, and use up every pending link of the address.

    Raises LinkError when the link was used or expired meanwhile, or when the
    address got an account by another way; nothing is saved then.
    """
    locked = SignupRequest.objects.select_for_update().filter(pk=signup_request.pk).first()
    if locked is None:
        raise LinkError("invalid")
    if locked.used_at is not None:
        raise LinkError("used")
    if locked.is_expired:
        raise LinkError("expired")
    if _email_registered(locked.email):
        raise LinkError("used")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=locked.email, password=password)
    except IntegrityError as error:  # the same address registered concurrently
        raise LinkError("used") from error
    member = member_create(user=user, profile=profile)
    SignupRequest.objects.filter(email__iexact=locked.email, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return member


# --- e-mail change --------------------------------------------------------------------------


@transaction.atomic
def email_change_request_create(*, user: User, new_email: str,
                                language: str | None = None) -> EmailChangeRequest | None:
    """Mail a confirmation link to the new address; nothing changes until it is followed.

    If the new address already belongs to an account, that address is told so by
    mail and no request is stored; the member's page looks the same either way.
    """
    new_email = new_email.strip().lower()
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        async_task(f"{TASK_PREFIX}send_email_change_taken_email", email=new_email,
                   login_url=absolute_url(reverse("accounts:login")), language=language)
        return None
    raw_token, hashed = token_generate()
    change = EmailChangeRequest.objects.create(user=user, new_email=new_email,
                                               token_hash=hashed)
    async_task(
        f"{TASK_PREFIX}send_email_change_email", email=new_email,
        url=absolute_url(reverse("accounts:email_change_confirm", kwargs={"token": raw_token})),
        hours=email_change_link_hours(), language=language,
    )
    return change


@transaction.atomic
def email_change_confirm(*, change_request: EmailChangeRequest,
                         language: str | None = None) -> User:
    """Apply a confirmed e-mail change and tell the old address about it.

    Raises LinkError (used, expired, taken) and changes nothing in that case.
    """
    locked = (EmailChangeRequest.objects.select_for_update().select_related("user")
              .filter(pk=change_request.pk).first())
    if locked is None:
        raise LinkError("invalid")
    if locked.used_at is not None:
        raise LinkError("used")
    if locked.is_expired:
        raise LinkError("expired")
    user = locked.user
    if User.objects.filter(email__iexact=locked.new_email).exclude(pk=user.pk).exists():
        raise LinkError("taken")
    user.email = locked.new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError as error:
        raise LinkError("taken") from error
    EmailChangeRequest.objects.filter(user=user, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    # The old address is told, with a link to undo (email_change_recorded, run for every
    # change of User.email by directory.accounts.signals).
    return user


# --- any change of the sign-in address or password (every account, every path) -------------

EMAIL_UNDO_SALT = "directory.accounts.email-change-undo"


def email_change_undo_days() -> int:
    return int(settings.PORTAL.get("EMAIL_CHANGE_UNDO_DAYS", 7))


def email_change_undo_token(*, user: User, old_email: str, new_email: str) -> str:
    """A signed, timestamped token naming the change (no database row): valid for
    email_change_undo_days() and only while the account still has `new_email`."""
    return signing.dumps({"u": user.pk, "o": old_email, "n": new_email}, salt=EMAIL_UNDO_SALT)


def email_change_undo_load(token: str) -> dict:
    """The change a token names; LinkError("expired") or ("invalid") otherwise."""
    try:
        data = signing.loads(token, salt=EMAIL_UNDO_SALT,
                             max_age=timedelta(days=email_change_undo_days()))
    except signing.SignatureExpired as error:
        raise LinkError("expired") from error
    except signing.BadSignature as error:
        raise LinkError("invalid") from error
    if not isinstance(data, dict) or not {"u", "o", "n"} <= data.keys():
        raise LinkError("invalid")
    return data


def email_change_undo_user(data: dict) -> User:
    """The account of a loaded token, when the change can still be undone: LinkError
    ("used": the address is no longer the one it was changed to; "taken": the old address
    now belongs to another account)."""
    user = User.objects.filter(pk=data["u"]).first()
    if user is None:
        raise LinkError("invalid")
    if user.email != data["n"]:
        raise LinkError("used")
    if User.objects.filter(email__iexact=data["o"]).exclude(pk=user.pk).exists():
        raise LinkError("taken")
    return user


def email_change_recorded(*, user: User, old_email: str, language: str | None = None) -> None:
    """After any change of `user`'s sign-in address (their own, at /admin/account/ or on
    the member pages, or by the secretariat): an audit row, and a mail to the OLD address
    with a link to undo it (sign-in addresses are how an account is taken over: a
    password reset then goes to the new one)."""
    from operations.models import AuditEvent
    from operations.services import audit_record

    audit_record(action=AuditEvent.Action.EMAIL_CHANGE, object_type="accounts.user",
                 object_id=user.pk, detail={"from": old_email, "to": user.email})
    # The lockout counts failures per address; the new address starts clean.
    login_failures_clear(email=old_email)
    token = email_change_undo_token(user=user, old_email=old_email, new_email=user.email)
    async_task(f"{TASK_PREFIX}send_email_changed_notice", email=old_email,
               new_email=user.email, language=language,
               undo_url=absolute_url(reverse("accounts:email_change_undo",
                                             kwargs={"token": token})),
               undo_days=email_change_undo_days())


@transaction.atomic
def email_change_undo(*, token: str, new_password: str) -> User:
    """Put the old address back and set a new password (whoever changed the address knew
    the old one): every other session ends (Django checks the password hash in each
    session) and every API token is revoked (password_change_recorded)."""
    from operations.models import AuditEvent
    from operations.services import audit_record

    data = email_change_undo_load(token)
    user = email_change_undo_user(data)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email != data["n"]:
        raise LinkError("used")
    user.email = data["o"]
    user.set_password(new_password)
    user._email_change_undo = True  # no "changed" mail to the address being undone
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "password"])
    except IntegrityError as error:
        raise LinkError("taken") from error
    audit_record(action=AuditEvent.Action.EMAIL_CHANGE_UNDO, object_type="accounts.user",
                 object_id=user.pk, user=user, detail={"from": data["n"], "to": data["o"]})
    login_failures_clear(email=data["o"])
    return user


def password_change_recorded(*, user: User) -> int:
    """After any change of `user`'s password (change, reset, set by the secretariat, undo of
    an e-mail change): an audit row and every API token of the account revoked. The
    account's other sessions end by themselves: Django keeps a hash of the password in
    each session and signs a session out when it no longer matches (the session that made
    the change is kept by update_session_auth_hash). Returns the tokens revoked."""
    from api.tokens import api_tokens_revoke_all
    from operations.models import AuditEvent
    from operations.services import audit_record

    revoked = api_tokens_revoke_all(user=user)
    audit_record(action=AuditEvent.Action.PASSWORD_CHANGE, object_type="accounts.user",
                 object_id=user.pk, detail={"api_tokens_revoked": revoked})
    return revoked


@transaction.atomic
def sign_in_email_change(*, user: User, new_email: str) -> User:
    """Change the sign-in address at once (back office, after the current password was
    checked): email_change_recorded follows through the signal."""
    new_email = new_email.strip().lower()
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise LinkError("taken")
    user.email = new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError as error:
        raise LinkError("taken") from error
    return user


# --- housekeeping ----------------------------------------------------------------------------


@transaction.atomic
def link_requests_prune(*, older_than_days: int = 30) -> int:
    """Delete sign-up and e-mail change requests older than `older_than_days` (used or
    not): they hold e-mail addresses and are useless once expired. Returns the count."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    signups, _ = SignupRequest.objects.filter(created_at__lt=cutoff).delete()
    changes, _ = EmailChangeRequest.objects.filter(created_at__lt=cutoff).delete()
    return signups + changes


# --- login lockout (cache only) ------------------------------------------------------------


def login_blocked(*, email: str, ip: str) -> tuple[str, int] | None:
    """("ip" | "account", seconds to wait) when this login attempt must be refused.

    The per-account lockout is kept for any submitted address, registered or not,
    so the 429 page never tells whether an account exists.
    """
    limit, window = ratelimit.ip_limit_settings()
    by_ip = ratelimit.rate_limit_peek(scope=LOGIN_IP_SCOPE, key=ip, limit=limit, window=window)
    if not by_ip.allowed:
        return "ip", by_ip.retry_after
    if email:
        remaining = ratelimit.lockout_remaining(scope=LOGIN_ACCOUNT_SCOPE, key=email)
        if remaining:
            return "account", remaining
    return None


def login_failure_record(*, email: str, ip: str) -> None:
    limit, window = ratelimit.ip_limit_settings()
    ratelimit.rate_limit_hit(scope=LOGIN_IP_SCOPE, key=ip, limit=limit, window=window)
    if email:
        attempts, seconds = ratelimit.lockout_settings()
        ratelimit.lockout_failure(scope=LOGIN_ACCOUNT_SCOPE, key=email, attempts=attempts,
                                  seconds=seconds)


def login_failures_clear(*, email: str) -> None:
    """After a successful login or password reset: forget the failures, lift a lockout."""
    ratelimit.lockout_clear(scope=LOGIN_ACCOUNT_SCOPE, key=(email or "").strip().lower())
