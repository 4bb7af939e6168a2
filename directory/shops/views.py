"""Public pages of the shop directory: search (list and map) and detail.

Views stay thin: the form validates the query string, selectors read.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from cms_pages.assistant.page_counts import shop_view_mark, zero_result_mark
from config.frontend_cache import detail_cache_headers
from directory.fragments import cached_fragments
from directory.members import selectors as member_selectors
from directory.shops import selectors
from directory.shops.forms import ShopSearchForm, count_label
from directory.shops.geo import format_distance

PAGE_SIZE = 20
LIST_TEMPLATE = "shops/shop_list.html"
CARD_TEMPLATE = "shops/includes/shop_card.html"


def _map_point(shop, *, distance: str = "") -> dict:
    return {
        "name": shop.name,
        "lat": shop.latitude,
        "lng": shop.longitude,
        "url": shop.get_absolute_url(),
        "address": shop.full_address,
        "distance": distance,
    }


@require_safe
def shop_list(request):
    form = ShopSearchForm(request.GET)
    if not form.is_valid():
        return render(request, LIST_TEMPLATE, {"form": form}, status=400)
    query = form.to_query()
    results = selectors.ShopResults(query, prefetch=False)
    paginator = Paginator(results, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    shops = list(page_obj.object_list)
    for shop in shops:
        distance = getattr(shop, "distance_km", None)
        shop.distance_label = format_distance(distance) if distance is not None else ""
    response = render(request, LIST_TEMPLATE, {
        "form": form,
        "page_obj": page_obj,
        "paginator": paginator,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1),
        "shops": shops,
        # Each card rendered once per version of its shop (directory/fragments.py).
        "cards": cached_fragments(
            shops, CARD_TEMPLATE, name="shop", prepare=selectors.shop_cards_prefetch,
            version=lambda shop: (shop.pk, shop.updated_at, shop.distance_label)),
        "results": results,
        "count_label": count_label(paginator.count, results.more),
        "map_points": [_map_point(shop, distance=shop.distance_label)
                       for shop in shops if shop.latitude is not None],
        "map_origin": (query.origin.latitude, query.origin.longitude) if query.origin else None,
        "suggestions": form.suggestions() if not shops else None,
    })
    if not shops and query.keyword and page_obj.number == 1:
        # Counted from nginx's log for every request, cached or not (the insight
        # dashboard's top terms: cms_pages/assistant/page_counts.py).
        zero_result_mark(response, keyword=query.keyword)
    return response


@require_safe
def shop_detail(request, pk: int):
    shop = selectors.shop_get_public(pk=pk)
    if shop is None:
        raise Http404(_("No sponsor shop found."))
    response = render(request, "shops/shop_detail.html", {
        "shop": shop,
        "chain": selectors.shop_chain_for(shop=shop),
        "map_points": [_map_point(shop)] if shop.latitude is not None else [],
        "is_favourite": member_selectors.favourite_state_for(request.user, shop),
        "is_preview": False,
    })
    # Views are counted per day from nginx's log, cached or not, with no write here
    # (cms_pages/assistant/page_counts.py).
    return detail_cache_headers(shop_view_mark(response, shop_id=shop.pk), request)
