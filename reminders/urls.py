from __future__ import annotations

from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("reminders/<int:meeting_id>/snooze/<str:choice>/", views.snooze, name="snooze"),
    path("reminders/stop-early/", views.unsubscribe, name="unsubscribe"),
    path("reminders/failures/", views.failures, name="failures"),
]
