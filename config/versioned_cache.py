"""Per-process caches of values that change rarely but are read on every page view
(the masters behind the search form, the site settings and the pages linked from
every page).

Each process keeps what it built, tagged with a version kept in Django's cache
(Redis in production, so shared by every process of every instance). A change
(signals connected in the apps' ready()) drops the version — at once and again when
the transaction commits — so every process rebuilds on its next read: one cache read
per request instead of the queries. Bulk writes that send no signal
(QuerySet.update) must call `clear()` themselves.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Within one web request every version is read from the shared cache once (a page asks
# for the masters, the site settings… several times: one Redis round trip each before,
# issue 20); outside requests (tasks, shells, tests) every read goes to the cache.
_request = threading.local()


def request_started(**kwargs) -> None:
    """Django's request_started receiver (connected in cms_pages' AppConfig.ready)."""
    _request.versions = {}


def request_finished(**kwargs) -> None:
    _request.versions = None


class VersionedCache:
    """Values built at most once per process per version of `version_key`."""

    registry: list[VersionedCache] = []

    def __init__(self, version_key: str):
        self.version_key = version_key
        self._built: dict[str, tuple[str, object]] = {}
        self._lock = threading.Lock()
        VersionedCache.registry.append(self)

    def _version(self) -> str:
        memo = getattr(_request, "versions", None)
        if memo is not None and self.version_key in memo:
            return memo[self.version_key]
        version = cache.get(self.version_key)
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(self.version_key, version, timeout=None):
                version = cache.get(self.version_key) or version
        if memo is not None:
            memo[self.version_key] = version
        return version

    def remember(self, version: str) -> None:
        """A version read along with others (one get_many): kept for this request."""
        memo = getattr(_request, "versions", None)
        if memo is not None:
            memo[self.version_key] = version

    def version(self) -> str:
        """The current version (a key part for things cached elsewhere that must
        change with these values, e.g. rendered fragments showing master names)."""
        return self._version()

    def get(self, name: str, build: Callable[[], T]) -> T:
        """`build()`'s value, built at most once per process per version."""
        try:
            version = self._version()
        except Exception:  # the shared cache is down: build every time, cache nothing
            logger.warning("%s: the shared cache is unavailable", self.version_key,
                           exc_info=True)
            return build()
        hit = self._built.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = build()
        with self._lock:
            self._built[name] = (version, value)
        return value

    def clear(self) -> None:
        """Forget every built value, in this process and (through the version) in all others."""
        with self._lock:
            self._built.clear()
        memo = getattr(_request, "versions", None)
        if memo is not None:
            memo.pop(self.version_key, None)
        try:
            cache.delete(self.version_key)
        except Exception:
            logger.warning("%s: could not drop the shared version", self.version_key,
                           exc_info=True)

    def changed(self, sender=None, **kwargs) -> None:
        """A signal receiver: drop now and again once committed (another process may
        rebuild from the old rows before this transaction commits)."""
        self.clear()
        transaction.on_commit(self.clear)

    @classmethod
    def clear_all(cls) -> None:
        for versioned in cls.registry:
            versioned.clear()
