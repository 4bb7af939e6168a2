from django.urls import path

from directory.members import views

app_name = "members"
urlpatterns = [
    path("card/", views.card, name="card"),
    path("card/code/<slug:programme_code>/", views.card_code, name="card_code"),
    path("card/verify", views.card_verify, name="card_verify"),
    path("favourites/", views.favourite_list, name="favourite_list"),
    path("favourites/<int:shop_id>/toggle/", views.favourite_toggle, name="favourite_toggle"),
]
