"""Organisation admins manage every model in the Django admin; nobody else gets in."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "meetings", "insights"}


def our_models():
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


def test_every_model_of_ours_is_in_the_admin():
    from django.apps import apps

    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}

    assert ours == set(our_models())


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_organisation_admin_sees_each_list_with_its_filters_and_search(client, model):
    client.force_login(UserFactory(email="org@example.com", is_staff=True))  # not a superuser
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    assert client.get(url, {"q": "x"}).status_code == 200


def test_members_cannot_open_the_admin(client, member):
    client.force_login(member)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_every_list_in_the_admin_index_is_named_in_plain_english(client, org_admin):
    client.force_login(org_admin)

    html = client.get("/admin/").content.decode()

    assert "Customer aliases" in html
    assert "aliass" not in html
    # Django's default plural adds an "s": "customer aliass".
    assert [m for m in our_models() if str(m._meta.verbose_name_plural).endswith("ss")] == []


def test_an_organisation_admin_has_the_admin_in_their_menu(client, org_admin):
    client.force_login(org_admin)

    html = client.get("/teams/").content.decode()

    assert '<a href="/admin/">Admin</a>' in html


@pytest.mark.parametrize("persona", ["member", "facilitator", "team_admin"])
def test_nobody_else_has_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert 'href="/admin/"' not in client.get("/teams/").content.decode()
