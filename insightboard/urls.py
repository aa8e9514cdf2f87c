from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from meetings.views import home

from . import views

admin.site.site_header = "InsightBoard administration"
admin.site.site_title = "InsightBoard"


class FaviconRedirect(RedirectView):
    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("img/favicon.svg")


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
    # Resolved per request: the manifest of collected files may not exist at import time.
    path("favicon.ico", FaviconRedirect.as_view(permanent=True)),
]
