from django.urls import path

from cms_pages.assistant import views

app_name = "assistant"
urlpatterns = [
    path("", views.assistant_page, name="page"),
    path("feedback/", views.feedback, name="feedback"),
]
