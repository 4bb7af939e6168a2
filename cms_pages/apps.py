from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsPagesConfig(AppConfig):
    name = "cms_pages"
    verbose_name = _("Pages")

    def ready(self):
        from wagtail.signals import page_published

        from cms_pages.models import NewsPage
        from cms_pages.news import _on_page_published

        page_published.connect(_on_page_published, sender=NewsPage,
                               dispatch_uid="cms_pages_news_published")
