"""Warm nginx's page cache after a deploy or a full purge (issue 20): the pages most
visitors ask for are fetched through nginx's refresh listener (config/frontend_cache.py,
the same GETs as a publish refresh, one per language copy) before traffic reaches them,
so the first visitors after a restart find them in the cache instead of queueing for
the app.

Which pages: the home page and the lists, then the most viewed shop pages of the last
30 days (the insight dashboard's counters, cms_pages/assistant: every view is counted,
cached or not).

    manage.py cache_warm [--limit 500] [--now]     # queued on django-q2 unless --now
"""

from __future__ import annotations

import datetime
import logging

from django.db.models import Sum
from django.utils import timezone

logger = logging.getLogger(__name__)

FIXED_PATHS = ["/", "/shops/", "/events/", "/faminavi/", "/news/", "/faq/"]
DAYS = 30


def warm_paths(*, limit: int = 500, days: int = DAYS) -> list[str]:
    """The fixed pages, then the shop pages by views over the last `days` (published
    shops only), at most `limit` paths in all."""
    from cms_pages.assistant.models import ShopView
    from directory.shops.models import Shop

    since = timezone.localdate() - datetime.timedelta(days=days)
    ranked = (ShopView.objects.filter(day__gte=since, shop__in=Shop.objects.public())
              .values("shop_id").annotate(views=Sum("count"))
              .order_by("-views", "shop_id").values_list("shop_id", flat=True))
    paths = list(FIXED_PATHS)
    paths += [Shop(pk=shop_id).get_absolute_url()
              for shop_id in ranked[:max(0, limit - len(paths))]]
    return paths[:limit]


def cache_warm(*, limit: int = 500) -> int:
    """django-q2 task: fetch the warm-up pages into nginx's cache; returns how many."""
    from config.frontend_cache import refresh_enabled, refresh_paths

    if not refresh_enabled():
        logger.info("cache warm-up: no nginx refresh listener configured")
        return 0
    paths = warm_paths(limit=limit)
    refresh_paths(paths)
    logger.info("cache warm-up: %d pages", len(paths))
    return len(paths)
