from django.urls import path

from dichvucong.api import views

app_name = "apitokens"

urlpatterns = [path("", views.tokens, name="list")]
