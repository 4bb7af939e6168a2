"""Who may call what: the roles of the portal, as DRF permission classes.

Roles come from Django groups and permissions (directory/accounts/roles.py) and
from the records a user has (a Member, an Owner), never from anything the
client sends. Object scope (which shops, events, articles) always goes through
the audited access functions of directory/access.py: an object outside the
caller's scope answers 404, the same as one that does not exist.

Anonymous callers of a protected endpoint get 401; signed-in callers without the
role get 403.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from directory.accounts.roles import SECRETARIAT


def _cached(request, name, compute):
    key = f"_api_role_{name}"
    if not hasattr(request, key):
        setattr(request, key, compute())
    return getattr(request, key)


def member_of(request):
    """The caller's own Member record, or None."""
    from directory.members.models import Member

    user = request.user
    if not user.is_authenticated:
        return None
    return _cached(request, "member",
                   lambda: Member.objects.select_related("user").filter(user=user).first())


def owner_of(request):
    """The caller's own shop Owner record, or None."""
    from directory.shops.models import Owner

    user = request.user
    if not user.is_authenticated:
        return None
    return _cached(request, "owner",
                   lambda: Owner.objects.select_related("user").filter(user=user).first())


def is_secretariat(user) -> bool:
    """The 事務局 group (or a superuser): the only role that runs the programme."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=SECRETARIAT).exists()


class Authenticated(BasePermission):
    """Any signed-in user (bearer token or session)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_active)


class MemberOnly(Authenticated):
    message = _("This needs a member account.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and member_of(request) is not None


class ShopOwnerOnly(Authenticated):
    message = _("This needs a shop account.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and owner_of(request) is not None


class SecretariatOnly(Authenticated):
    message = _("Only the secretariat may do this.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and is_secretariat(request.user)


def model_permission(*perms: str, message=None):
    """A permission class requiring every Django permission in `perms`
    (e.g. "shops.change_shop"): the same permissions the Wagtail admin checks."""

    class ModelPermission(Authenticated):
        def has_permission(self, request, view):
            return super().has_permission(request, view) and request.user.has_perms(perms)

    ModelPermission.message = message or _("Your role may not do this.")
    ModelPermission.__name__ = "Requires_" + "_".join(p.replace(".", "_") for p in perms)
    return ModelPermission
