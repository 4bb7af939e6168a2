"""Per-process cache of values built from the masters (search form choices…), read by
every search: see config/versioned_cache.py. Saving or deleting any master (signals
connected in apps.py) drops it in every process; bulk writes that send no signal
(QuerySet.update) must call `masters_cache_clear()` themselves.
"""

from config.versioned_cache import VersionedCache

VERSION_KEY = "masters:version"

masters_cache = VersionedCache(VERSION_KEY)
masters_cached = masters_cache.get
masters_cache_clear = masters_cache.clear
masters_changed = masters_cache.changed
