"""The legacy site's addresses, kept alive after the switch (spec: 移行 with
continuous operation): bookmarks, printed QR codes and search engines' links to
the old shop pages get a permanent redirect (301) to the new page; an id that
matches no published shop gets a helpful 404 with a shop search box."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from directory.shops.models import Shop

# Old paths without an id → the new page (name of the URL pattern).
LEGACY_PAGES = {
    "maidoko/": "home",
    "maidoko/kaiin/": "shops:list",
    "maidoko/kaiin/joken/": "shops:list",
    "maidoko/kaiin/joken/kekka/": "shops:list",
    "chain/list/": "shops:list",
}


def _legacy_id(request) -> int | None:
    value = (request.GET.get("page") or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def _not_found(request, legacy_id):
    return render(request, "operations/legacy_not_found.html",
                  {"legacy_id": legacy_id}, status=404)


@require_safe
def legacy_shop(request):
    """/maidoko/kaiin/joken/kekka/private/?page=SHOPID and /chain/?page=SHOPID."""
    legacy_id = _legacy_id(request)
    if legacy_id is None:
        return _not_found(request, None)
    shop = Shop.objects.public().filter(legacy_id=legacy_id).only("pk").first()
    if shop is None:
        # A shop created in the portal may be linked by its new id (the legacy API shows it).
        shop = Shop.objects.public().filter(pk=legacy_id, legacy_id__isnull=True).only(
            "pk").first()
    if shop is None:
        return _not_found(request, legacy_id)
    return HttpResponsePermanentRedirect(shop.get_absolute_url())


@require_safe
def legacy_page(request, target: str):
    url = "/" if target == "home" else reverse(target)
    return HttpResponsePermanentRedirect(url)
