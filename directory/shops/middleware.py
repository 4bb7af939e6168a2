"""Keeps a shop owner out of admin screens that Wagtail and wagtail-localize open
to every admin user: the translations report lists page translations, and the
reports section is not theirs either. Everything else is already limited by
permissions, the scoped viewsets (directory/admin.py) and the chooser hooks
(directory/shops/wagtail_hooks.py). Place after AuthenticationMiddleware.

wagtail-localize's snippet API (``/admin/localize/api/…``, the translation editor's
chooser) lists the id and title of every row of any snippet model (shops, events,
members' numbers) to anyone with admin access, ignoring the scoped viewsets: only
translators (``wagtail_localize.submit_translation``, the secretariat) may call it."""

from django.core.exceptions import PermissionDenied

from directory.shops.owner_admin import is_shop_owner_only

BLOCKED_PREFIXES = ("/admin/localize/", "/admin/reports/")
TRANSLATORS_ONLY_PREFIXES = ("/admin/localize/api/",)


class ShopOwnerAdminScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(BLOCKED_PREFIXES):
            user = getattr(request, "user", None)
            if user is not None and is_shop_owner_only(user):
                raise PermissionDenied
        if request.path.startswith(TRANSLATORS_ONLY_PREFIXES):
            user = getattr(request, "user", None)
            if (user is not None and user.is_authenticated
                    and not user.has_perm("wagtail_localize.submit_translation")):
                raise PermissionDenied
        return self.get_response(request)
