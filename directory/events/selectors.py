"""Reads for the public event listing."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from directory.events.models import Event

ORDER_END = "end"
ORDER_UPDATED = "updated"


def event_list(
    *,
    municipality_code: str | None = None,
    past: bool = False,
    order: str = ORDER_END,
    today: datetime.date | None = None,
) -> QuerySet[Event]:
    """Published events: ongoing and upcoming ones by soonest end date, or
    (with `past`) finished ones, most recently finished first. With
    ``order=ORDER_UPDATED`` either list is sorted by last update, newest first."""
    today = today or timezone.localdate()
    events = Event.objects.public().select_related("municipality")
    if past:
        events = events.filter(ends_on__lt=today).order_by("-ends_on", "-starts_on", "-pk")
    else:
        events = events.filter(ends_on__gte=today).order_by("ends_on", "starts_on", "pk")
    if order == ORDER_UPDATED:
        events = events.order_by("-updated_at", "-pk")
    if municipality_code:
        events = events.filter(municipality__code=municipality_code)
    return events


def event_get_public(*, pk: int) -> Event | None:
    """One published event with what its detail page shows, or None."""
    return (
        Event.objects.public()
        .select_related("municipality", "shop", "image")
        .prefetch_related("genres")
        .filter(pk=pk)
        .first()
    )
