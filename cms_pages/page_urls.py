"""Wagtail's front-end URLs with cms_pages.i18n.serve (language trees with the
Japanese fallback) in place of wagtail.views.serve; included through
cms_pages.i18n.page_patterns in config/urls.py."""

from django.urls import re_path
from wagtail import urls as wagtail_urls

from cms_pages import i18n

urlpatterns = [
    *[pattern for pattern in wagtail_urls.urlpatterns
      if getattr(pattern, "name", None) != "wagtail_serve"],
    re_path(wagtail_urls.serve_pattern, i18n.serve, name="wagtail_serve"),
]
