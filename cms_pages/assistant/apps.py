from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "cms_pages.assistant"
    label = "assistant"
    verbose_name = _("FAQ assistant and insights")

    def ready(self):
        from cms_pages.assistant import signals

        signals.connect()
