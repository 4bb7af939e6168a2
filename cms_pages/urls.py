from django.urls import path

from cms_pages import views

app_name = "cms_pages"

urlpatterns = [
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("consent/", views.consent_settings, name="consent"),
    path("preview/<str:token>/", views.shared_preview, name="shared_preview"),
]
