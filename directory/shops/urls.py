from django.urls import path

from directory.shops import views

app_name = "shops"
urlpatterns = [
    path("", views.shop_list, name="list"),
    path("<int:pk>/", views.shop_detail, name="detail"),
]
