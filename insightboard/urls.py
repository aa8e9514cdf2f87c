from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from meetings import views as meeting_views

from . import views

admin.site.site_header = "InsightBoard administration"
admin.site.site_title = "InsightBoard"

urlpatterns = [
    path("", meeting_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<str:key>/", views.outbox_message, name="outbox-message"),
    path("admin/", admin.site.urls),
]
