"""TOTP pages, mounted under the admin at /admin/2fa/ (before Wagtail's admin URLs)."""

from django.urls import path

from staffauth import views

app_name = "staffauth"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("link/<str:token>/", views.link, name="link"),
]
