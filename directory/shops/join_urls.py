"""The public pages for shops (協賛店の方へ), mounted at /for-shops/ (namespace "shop_join")."""

from django.urls import path

from directory.shops import join_views

app_name = "shop_join"
urlpatterns = [
    path("", join_views.for_shops, name="for_shops"),
    path("sent/", join_views.sent, name="sent"),
    path("confirm/<str:token>/", join_views.confirm, name="confirm"),
    path("complete/", join_views.complete, name="complete"),
]
