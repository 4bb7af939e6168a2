"""Shop page views and zero-result searches counted for every request, served from
nginx's cache or not, with no database write per view (issue 20).

Most page views never reach Django (nginx's page cache answers them), so the view
cannot count them. Instead the view marks what a response counts as, in a header
that nginx stores with the cached page and sends on every hit:

    X-Portal-Count: shop 123                  a view of shop 123's page
    X-Portal-Count: zero-result <keyword>     a search without results (percent-encoded)

and nginx writes one line per marked response, hit or miss, to a log of its own
(deploy/nginx/portal.conf, ``log_format portal_counts``):

    1765150000.123 200 "shop 123"

``page_counts_flush`` (a django-q2 task every minute, or `manage.py page_counts_flush`
on each nginx host) reads the new lines of each log in settings.PAGE_COUNT_LOGS from
where it stopped (an ``.offset`` file in PAGE_COUNT_STATE_DIR), adds them up per day and writes
one update per shop and term into the same counters as before (ShopView,
ZeroResultSearch). A rotated log (new inode, or shorter than the offset) is read from
its start. Nothing about the visitor is logged: no address, no agent, no cookie.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote, unquote

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

HEADER = "X-Portal-Count"
LINE = re.compile(r'^(?P<msec>\d+(?:\.\d+)?) (?P<status>\d{3}) "(?P<mark>[^"]*)"$')
# At most this much of a log is read per run (the rest next time).
READ_LIMIT = 64 * 1024 * 1024


def shop_view_mark(response, *, shop_id: int):
    response[HEADER] = f"shop {int(shop_id)}"
    return response


def zero_result_mark(response, *, keyword: str):
    response[HEADER] = "zero-result " + quote(keyword[:200], safe="")
    return response


def count_logs() -> list[Path]:
    return [Path(path) for path in getattr(settings, "PAGE_COUNT_LOGS", []) if path]


def parse(lines) -> tuple[Counter, Counter]:
    """(shop views per (day, shop id), zero-result searches per (day, keyword))."""
    zone = timezone.get_current_timezone()
    views, zero = Counter(), Counter()
    for line in lines:
        match = LINE.match(line.strip())
        if not match or match["status"] != "200":
            continue
        kind, _space, value = match["mark"].partition(" ")
        day = datetime.datetime.fromtimestamp(float(match["msec"]), zone).date()
        if kind == "shop" and value.isdigit():
            views[(day, int(value))] += 1
        elif kind == "zero-result" and value:
            zero[(day, unquote(value))] += 1
    return views, zero


def counts_record(views: Counter, zero: Counter) -> None:
    """Add parsed counts to the counters: one write per (day, shop) and (day, term)."""
    from cms_pages.assistant.models import ShopView, ZeroResultSearch
    from cms_pages.assistant.services import _bump, scrub
    from directory.shops.models import Shop
    from directory.text import normalise

    existing = set(Shop.objects.filter(pk__in={shop for _day, shop in views})
                   .values_list("pk", flat=True))
    terms: Counter = Counter()
    for (day, keyword), amount in zero.items():
        term = normalise(scrub(keyword, limit=100))[:100]
        if term:
            terms[(day, term)] += amount
    with transaction.atomic():
        for (day, shop_id), amount in sorted(views.items()):
            if shop_id in existing:  # a shop deleted since is not counted
                _bump(ShopView, amount=amount, day=day, shop_id=shop_id)
        for (day, term), amount in sorted(terms.items()):
            _bump(ZeroResultSearch, amount=amount, day=day, term=term)


def _offset_file(log: Path) -> Path:
    """Where the read position of `log` is kept (PAGE_COUNT_STATE_DIR, the app's own
    writable directory: nginx's log directory is not)."""
    directory = Path(getattr(settings, "PAGE_COUNT_STATE_DIR", "") or
                     Path(settings.BASE_DIR) / "var" / "page-counts")
    directory.mkdir(parents=True, exist_ok=True)
    return directory / (re.sub(r"[^A-Za-z0-9_.-]", "_", str(log.resolve())) + ".offset")


def _read_new(log: Path) -> tuple[list[str], tuple[int, int]]:
    """The complete lines added since the last run and the (inode, offset) after them."""
    try:
        stat = log.stat()
    except FileNotFoundError:
        return [], (0, 0)
    inode, offset = stat.st_ino, 0
    try:
        saved_inode, saved_offset = (int(part) for part in
                                     _offset_file(log).read_text().split())
        if saved_inode == inode and saved_offset <= stat.st_size:
            offset = saved_offset
    except (FileNotFoundError, ValueError):
        pass
    with log.open("rb") as handle:
        handle.seek(offset)
        data = handle.read(READ_LIMIT)
    complete = data[: data.rfind(b"\n") + 1]  # a line nginx is still writing waits
    lines = complete.decode("utf-8", "replace").splitlines()
    return lines, (inode, offset + len(complete))


def page_counts_flush() -> int:
    """django-q2 task: count the new lines of every configured log; returns the lines."""
    total = 0
    for log in count_logs():
        lines, (inode, offset) = _read_new(log)
        if not lines:
            continue
        views, zero = parse(lines)
        counts_record(views, zero)
        state = _offset_file(log)
        temporary = state.with_name(state.name + ".tmp")
        temporary.write_text(f"{inode} {offset}\n")
        os.replace(temporary, state)
        total += len(lines)
        logger.info("page counts: %d lines of %s", len(lines), log)
    return total
