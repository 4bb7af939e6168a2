"""The legacy site's addresses (operations/legacy/views.py), mounted at the root."""

from django.urls import path

from operations.legacy import views

urlpatterns = [
    path("maidoko/kaiin/joken/kekka/private/", views.legacy_shop, name="legacy_shop"),
    path("chain/", views.legacy_shop, name="legacy_chain"),
    *[path(old, views.legacy_page, {"target": target}, name=f"legacy_page_{index}")
      for index, (old, target) in enumerate(views.LEGACY_PAGES.items())],
]
