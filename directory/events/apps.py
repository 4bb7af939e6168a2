from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "directory.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.signals import published, unpublished

        from config.frontend_cache import refresh_detail_page
        from directory.events.models import Event

        # nginx keeps the detail pages longer; a change refreshes them (config/frontend_cache.py).
        for name, signal in (("published", published), ("unpublished", unpublished),
                             ("deleted", post_delete)):
            signal.connect(refresh_detail_page, sender=Event,
                           dispatch_uid=f"events_refresh_detail_{name}")
