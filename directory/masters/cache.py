"""Per-process cache of values built from the masters (search form choices…).

The masters change a few times a year but every search reads them: each process keeps
what it built, tagged with a version kept in Django's cache (Redis in production, so
shared by every process of every instance). Saving or deleting any master (signals
connected in apps.py) drops the version — at once and again when the transaction
commits — so every process rebuilds on its next read: one cache read per request
instead of five queries. Bulk writes that send no signal (QuerySet.update) must call
`masters_cache_clear()` themselves.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "masters:version"

T = TypeVar("T")
_built: dict[str, tuple[str, object]] = {}
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def masters_cached(name: str, build: Callable[[], T]) -> T:
    """`build()`'s value, built at most once per process per masters version."""
    try:
        version = _version()
    except Exception:  # the shared cache is down: read the masters, cache nothing
        logger.warning("masters cache: the shared cache is unavailable", exc_info=True)
        return build()
    hit = _built.get(name)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = build()
    with _lock:
        _built[name] = (version, value)
    return value


def masters_cache_clear() -> None:
    """Forget every built value, in this process and (through the version) in all others."""
    with _lock:
        _built.clear()
    try:
        cache.delete(VERSION_KEY)
    except Exception:
        logger.warning("masters cache: could not drop the shared version", exc_info=True)


def masters_changed(sender, **kwargs) -> None:
    """post_save / post_delete of a master: drop now and again once committed (another
    process may rebuild from the old rows before this transaction commits)."""
    masters_cache_clear()
    transaction.on_commit(masters_cache_clear)
