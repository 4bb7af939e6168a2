from django.urls import path

from directory.faminavi import views

app_name = "faminavi"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("<int:pk>/", views.article_detail, name="detail"),
]
