from django.conf import settings
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms_pages import i18n as cms_i18n
from config.security import same_origin_post
from directory.shops import admin_auth as shop_admin_auth
from operations import views as operations_views

# A database outage answers 503 with a Japanese page (operations/errors.py).
handler500 = "operations.errors.handler500"

urlpatterns = [
    path("healthz", operations_views.healthz, name="healthz"),
    path("readyz", operations_views.readyz, name="readyz"),
    path("metrics", operations_views.metrics, name="metrics"),
    path("admin/2fa/", include("staffauth.urls")),
    # The admin's login and password reset with abuse limits (429), before Wagtail's own.
    path("admin/login/", shop_admin_auth.AdminLoginView.as_view(), name="portal_admin_login"),
    path("admin/password_reset/", shop_admin_auth.AdminPasswordResetView.as_view(),
         name="portal_admin_password_reset"),
    path("admin/password_reset/confirm/<uidb64>/<token>/",
         shop_admin_auth.AdminPasswordResetConfirmView.as_view(),
         name="portal_admin_password_reset_confirm"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", same_origin_post(cms_i18n.set_language), name="set_language"),
    path("accounts/", include("directory.accounts.urls")),
    path("", include("directory.members.urls")),
    path("shops/", include("directory.shops.urls")),
    path("for-shops/", include("directory.shops.join_urls")),  # 協賛店の方へ
    path("events/", include("directory.events.urls")),
    path("faminavi/", include("directory.faminavi.urls")),
    path("assistant/", include("cms_pages.assistant.urls")),  # the FAQ assistant's page
    # /api/v1/… (JSON API, OpenAPI schema, docs) and /api/legacy/…: api/urls.py.
    path("api/", include("api.urls")),
    # PWA and Web Push (notifications/): /manifest.webmanifest, /sw.js, /offline/,
    # /notifications/… (a device's settings, the click counter).
    path("", include("notifications.urls")),
    # The legacy site's shop pages and paths: 301 to the new pages (operations/legacy/).
    path("", include("operations.legacy.urls")),
    # sitemap.xml (index), sitemap-<section>.xml, robots.txt, consent/, preview/<token>/
    path("", include("cms_pages.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail pages: Japanese at their path, English translations under /en/, with the
# Japanese page as the fallback (cms_pages/i18n.py).
urlpatterns += cms_i18n.page_patterns(path("", include("cms_pages.page_urls")))
