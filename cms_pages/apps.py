from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsPagesConfig(AppConfig):
    name = "cms_pages"
    verbose_name = _("Pages")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from cms_pages.i18n import translated_home_permissions
        from cms_pages.models import HomePage, NewsPage
        from cms_pages.news import _on_page_published
        from cms_pages.selectors import site_cache, site_changed

        page_published.connect(_on_page_published, sender=NewsPage,
                               dispatch_uid="cms_pages_news_published")
        post_save.connect(translated_home_permissions, sender=HomePage,
                          dispatch_uid="cms_pages_translated_home_permissions")
        # Shared versions read once per request (config/versioned_cache.py).
        from django.core.signals import request_finished, request_started

        from config import versioned_cache

        request_started.connect(versioned_cache.request_started,
                                dispatch_uid="versioned_cache_request_started")
        request_finished.connect(versioned_cache.request_finished,
                                 dispatch_uid="versioned_cache_request_finished")
        # The content version in anonymous pages' ETags (config/content_version.py).
        from config.content_version import connect as content_version_connect

        content_version_connect()
        # The per-process site settings and linked pages (cms_pages/selectors.py).
        post_save.connect(site_changed, dispatch_uid="cms_pages_site_cache_save")
        post_delete.connect(site_changed, dispatch_uid="cms_pages_site_cache_delete")
        for name, signal in (("published", page_published), ("unpublished", page_unpublished),
                             ("moved", post_page_move)):
            signal.connect(site_cache.changed, dispatch_uid=f"cms_pages_site_cache_{name}")
