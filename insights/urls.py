from __future__ import annotations

from django.urls import path

from .views import customers, dashboards, library, submit

app_name = "insights"

TEAM = "teams/<slug:slug>/"

urlpatterns = [
    path(TEAM + "insight/", submit.submit_next, name="submit-next"),
    path(TEAM + "meetings/<int:meeting_id>/insight/", submit.submit, name="submit"),
    path("i/<int:meeting_id>/", submit.submit_link, name="submit-link"),
    path("i/<int:meeting_id>/fresh-link/", submit.fresh_link, name="fresh-link"),
    path("dashboard/", dashboards.organisation, name="dashboard"),
    path(TEAM + "dashboard/", dashboards.team, name="team-dashboard"),
    path("me/record/", dashboards.my_record, name="my-record"),
    path("insights/", library.library, name="library"),
    path("insights/export.csv", library.export, name="export"),
    path(TEAM + "insights/<int:insight_id>/", library.detail, name="detail"),
    path(TEAM + "insights/<int:insight_id>/react/", library.react, name="react"),
    path("customers/", customers.coverage, name="customers"),
    path("customers/sharing/", customers.sharing, name="sharing"),
    path("customers/<int:customer_id>/", customers.customer, name="customer"),
    path("customers/<int:customer_id>/edit/", customers.customer_edit, name="customer-edit"),
]
