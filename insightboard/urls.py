from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from meetings.views import home

from . import views

admin.site.site_header = "InsightBoard administration"
admin.site.site_title = "InsightBoard"

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("meetings.urls")),
    path("", include("insights.urls")),
    path("", include("reminders.urls")),
    path("accounts/", include("accounts.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<str:key>/", views.outbox_message, name="outbox-message"),
    path("outbox/<str:key>/html/", views.outbox_message_html, name="outbox-message-html"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages without our <link rel="icon"> (the admin).
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
]
