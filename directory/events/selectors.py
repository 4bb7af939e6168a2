"""Reads for the public event listing. Each event appears once, in the language asked
for (default: the active one) with the Japanese original as the fallback
(directory.i18n.localized)."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from directory.events.models import Event
from directory.i18n import localized, localized_get, localized_instances

ORDER_END = "end"
ORDER_UPDATED = "updated"


def event_list(
    *,
    municipality_code: str | None = None,
    past: bool = False,
    order: str = ORDER_END,
    today: datetime.date | None = None,
    language: str | None = None,
) -> QuerySet[Event]:
    """Published events: ongoing and upcoming ones by soonest end date, or
    (with `past`) finished ones, most recently finished first. With
    ``order=ORDER_UPDATED`` either list is sorted by last update, newest first."""
    today = today or timezone.localdate()
    events = Event.objects.public().select_related("municipality", "locale")
    if past:
        events = events.filter(ends_on__lt=today).order_by("-ends_on", "-starts_on", "-pk")
    else:
        events = events.filter(ends_on__gte=today).order_by("ends_on", "starts_on", "pk")
    if order == ORDER_UPDATED:
        events = events.order_by("-updated_at", "-pk")
    if municipality_code:
        events = events.filter(municipality__code=municipality_code)
    return localized(events, language=language)


def event_upcoming(*, limit: int, today: datetime.date | None = None,
                   language: str | None = None) -> list[Event]:
    """The next ``limit`` events to end (the home page's list)."""
    return list(event_list(today=today, language=language)[:limit])


def event_localized(events, *, today: datetime.date | None = None,
                    language: str | None = None) -> list[Event]:
    """Chosen events (the home page's featured ones) as shown in ``language``, in the
    same order, leaving out those not published or ended (one query)."""
    today = today or timezone.localdate()
    return localized_instances(
        events, Event.objects.public().filter(ends_on__gte=today)
        .select_related("municipality", "locale"),
        language=language)


def event_get_public(*, pk: int, language: str | None = None) -> Event | None:
    """One published event with what its detail page shows, or None: ``pk`` may be
    the id of any of its translations; the row returned is in ``language`` if
    published, else the Japanese one."""
    return localized_get(
        Event.objects.public().select_related("municipality", "shop", "image", "locale")
        .prefetch_related("genres"),
        pk=pk, language=language)
