from django.urls import path

from dichvucong.documents import views

app_name = "documents"

urlpatterns = [
    # Any text: a malformed id gets the same "not found" page as an unknown one, not Django's.
    path("<path:public_id>/", views.verify, name="verify"),
]
