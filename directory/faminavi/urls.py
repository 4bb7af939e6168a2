from django.urls import path

app_name = "faminavi"
urlpatterns: list = []
