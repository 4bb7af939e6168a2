from django.urls import path

from notifications import pwa, views

app_name = "notifications"
urlpatterns = [
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("notifications/", views.push_settings, name="settings"),
    path("notifications/devices/<int:pk>/remove/", views.device_remove, name="device_remove"),
    path("notifications/devices/remove-all/", views.devices_remove_all,
         name="devices_remove_all"),
    path("notifications/open/<str:token>/", views.click, name="click"),
]
