"""The request being served, for code that has no `request` argument (log
records, model signals such as a role change): its id, the client address and
the signed-in user.

`operations.middleware.RequestIdMiddleware` sets it for the length of a
request; outside a request (management commands, django-q2 tasks) it is empty.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

# An incoming X-Request-ID is kept only when it is short and plain (a proxy's or
# load balancer's id), so a client cannot inject text into logs or headers.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None
    request: Any = None

    @property
    def user(self):
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_current: ContextVar[RequestContext | None] = ContextVar("portal_request", default=None)


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str:
    """The incoming id when it is safe, else a new uuid4 hex."""
    if value and SAFE_REQUEST_ID.match(value):
        return value
    return request_id_new()


def client_ip(request) -> str | None:
    """REMOTE_ADDR, which RequestIdMiddleware has already set to the client's address
    when the request came through a proxy listed in TRUSTED_PROXY_IPS."""
    return request.META.get("REMOTE_ADDR") or None


def _networks(values) -> list:
    networks = []
    for value in values or []:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            continue
    return networks


def _in(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(remote_addr: str | None, forwarded_for: str | None,
                     trusted: list) -> str | None:
    """The client address behind trusted proxies: when `remote_addr` is a trusted
    proxy, the right-most X-Forwarded-For entry that is not itself a trusted proxy
    (entries further left were written by the client and prove nothing). None when
    the request did not come through a trusted proxy or the header is unusable."""
    networks = _networks(trusted)
    if not networks or not remote_addr or not forwarded_for or not _in(remote_addr, networks):
        return None
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    for entry in reversed(entries):
        try:
            ipaddress.ip_address(entry)
        except ValueError:
            return None
        if not _in(entry, networks):
            return entry
    return entries[0] if entries else None


def current() -> RequestContext | None:
    return _current.get()


def activate(context: RequestContext):
    return _current.set(context)


def deactivate(token) -> None:
    _current.reset(token)
