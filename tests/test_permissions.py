"""The permission matrix: every named URL of the project, who may GET and POST it.

A new view without a row here fails `test_every_named_url_has_a_row`, so nobody
ships a view without deciding who may use it. Team-scoped routes are tried on the
persona's own team and on another team: another team's object is always a 404
(for all but organisation admins), a role too low is a 403, anonymous is sent to
log in. Django's admin (`admin:*`) is left to Django's own permission system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Away
from insights import services as insight_services
from insights.models import Sharing
from meetings import services
from meetings.models import ROLE_RANK, Invitation, Membership, TeamWebhook
from tests.factories import (
    InsightFactory,
    MembershipFactory,
    SeriesFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "member", "facilitator", "team_admin", "org_admin"]

# Who may use a method.
PUBLIC = "public"  # anyone, logged in or not
LOGGED_IN = "logged_in"
OWNER = "owner"  # the persona's own object; anyone else's is a 404
MEMBER = Membership.Role.MEMBER
FACILITATOR = Membership.Role.FACILITATOR
TEAM_ADMIN = Membership.Role.ADMIN
ORG_ADMIN = "org_admin"
NO = None  # method not allowed: 405


@dataclass(frozen=True)
class Row:
    get: str | Callable | None
    post: str | Callable | None
    kwargs: Callable[[dict, str], dict] = lambda world, scope: {}
    scoped: bool = False  # tried on the persona's own team and on another team
    query: Callable[[dict, str], str] | None = None  # e.g. a link's token
    # Tried under both of the organisation's sharing settings (insights in full, or
    # counts only); a callable level then also takes the setting.
    shared: bool = False


def team_kwargs(world, scope):
    return {"slug": world[scope]["team"].slug}


def target_kwargs(world, scope):
    return {**team_kwargs(world, scope), "membership_id": world[scope]["target"].pk}


def team_away_kwargs(world, scope):
    """An away period the team set for its member."""
    return {**target_kwargs(world, scope), "away_id": world[scope]["team_away"].pk}


def invitation_kwargs(world, scope):
    return {**team_kwargs(world, scope), "invitation_id": world[scope]["invitation"].pk}


def invitation_token(world, scope):
    link = services.invitation_link(world["own"]["invitation"])
    return {"token": link.rstrip("/").rsplit("/", 1)[1]}


def meeting_kwargs(world, scope):
    return {**team_kwargs(world, scope), "meeting_id": world[scope]["meeting"].pk}


def item_kwargs(world, scope):
    return {**meeting_kwargs(world, scope), "item_id": world[scope]["item"].pk}


def attendance_kwargs(world, scope):
    return {**meeting_kwargs(world, scope), "attendance_id": world[scope]["attendance"].pk}


def insight_kwargs(world, scope):
    return {**meeting_kwargs(world, scope), "insight_id": world[scope]["insight"].pk}


def action_kwargs(world, scope):
    return {**team_kwargs(world, scope), "action_id": world[scope]["action"].pk}


def library_insight_kwargs(world, scope):
    return {**team_kwargs(world, scope), "insight_id": world[scope]["insight"].pk}


def customer_kwargs(world, scope):
    """A customer heard by the persona's own team, or only by the other team."""
    return {"customer_id": world[scope]["insight"].customer_id}


def readable(persona, scope, sharing):
    """Another team's insight: readable by every member when the organisation shares
    insights, a 404 when it shares counts only (organisation admins read all)."""
    if persona == "anonymous":
        return "login"
    if persona == "org_admin" or sharing == "insights":
        return "ok"
    return 404 if persona == "outsider" or scope == "other" else "ok"


def customer_editor(persona, scope):
    """Renaming or merging: organisation admins, and facilitators of a team that heard
    from the customer. Customers are the organisation's, so others get a 403."""
    if persona == "anonymous":
        return "login"
    if persona == "org_admin" or (persona in ("facilitator", "team_admin") and scope == "own"):
        return "ok"
    return 403


def link_kwargs(world, scope):
    return {"meeting_id": world["own"]["meeting"].pk}


def link_query(world, scope):
    from insights import links

    return links.submit_link(world["own"]["target"].user, world["own"]["meeting"]).split("?", 1)[1]


def attendee_only(persona, scope):
    # The insight form is for the meeting's attendees: an organisation admin who
    # isn't on the list may see the meeting but has no insight to give.
    if persona == "anonymous":
        return "login"
    if persona == "org_admin":
        return 403
    if persona == "outsider" or scope == "other":
        return 404
    return "ok"


def series_kwargs(world, scope):
    return {**team_kwargs(world, scope), "series_id": world[scope]["series"].pk}


def webhook_kwargs(world, scope):
    return {**team_kwargs(world, scope), "webhook_id": world[scope]["webhook"].pk}


def snooze_kwargs(world, scope):
    return {"meeting_id": world["own"]["meeting"].pk, "choice": "1h"}


def snooze_query(world, scope):
    from reminders.snooze import link as snooze_link

    return snooze_link(world["own"]["target"].user, world["own"]["meeting"], "1h").split("?", 1)[1]


def unsubscribe_query(world, scope):
    from reminders.content import unsubscribe_link

    return unsubscribe_link(world["own"]["target"].user).split("?", 1)[1]


def feed_kwargs(world, scope):
    return {"token": world["people"]["member"].calendar_token}


def away_kwargs(world, scope):
    return {"away_id": world["away"].pk}


def outbox_kwargs(world, scope):
    from insightboard import outbox

    return {"key": outbox.messages()[0].key}


def reset_kwargs(world, scope):
    return {"uidb64": "MQ", "token": "set-password"}


def invitation_accept(persona, scope):
    # The invitation is for an address none of the personas has: anyone may open
    # it, but only an anonymous visitor (who signs up) can use it; a logged-in
    # person with another address is told so.
    return "ok" if persona == "anonymous" else 403


MATRIX: dict[str, Row] = {
    "home": Row(get=LOGGED_IN, post=NO),
    "healthz": Row(get=PUBLIC, post=NO),
    "outbox": Row(get=ORG_ADMIN, post=NO),
    "outbox-message": Row(get=ORG_ADMIN, post=NO, kwargs=outbox_kwargs),
    "outbox-message-html": Row(get=ORG_ADMIN, post=NO, kwargs=outbox_kwargs),
    "accounts:login": Row(get=PUBLIC, post=PUBLIC),
    "accounts:logout": Row(get=NO, post=lambda persona, scope: "login"),
    "accounts:password-reset": Row(get=PUBLIC, post=PUBLIC),
    "accounts:password-reset-done": Row(get=PUBLIC, post=NO),
    "accounts:password-reset-confirm": Row(get=PUBLIC, post=PUBLIC, kwargs=reset_kwargs),
    "accounts:password-reset-complete": Row(get=PUBLIC, post=NO),
    "accounts:profile": Row(get=LOGGED_IN, post=LOGGED_IN),
    "accounts:away-create": Row(get=NO, post=LOGGED_IN),
    "accounts:away-delete": Row(get=NO, post=OWNER, kwargs=away_kwargs),
    "meetings:team-list": Row(get=LOGGED_IN, post=ORG_ADMIN),
    "meetings:team-detail": Row(get=MEMBER, post=NO, kwargs=team_kwargs, scoped=True),
    "meetings:team-settings": Row(get=TEAM_ADMIN, post=TEAM_ADMIN, kwargs=team_kwargs, scoped=True),
    "meetings:member-role": Row(get=NO, post=TEAM_ADMIN, kwargs=target_kwargs, scoped=True),
    "meetings:member-remove": Row(get=NO, post=TEAM_ADMIN, kwargs=target_kwargs, scoped=True),
    "meetings:member-away": Row(
        get=FACILITATOR, post=FACILITATOR, kwargs=target_kwargs, scoped=True
    ),
    "meetings:member-away-delete": Row(
        get=NO, post=FACILITATOR, kwargs=team_away_kwargs, scoped=True
    ),
    "meetings:invitation-create": Row(get=NO, post=TEAM_ADMIN, kwargs=team_kwargs, scoped=True),
    "meetings:invitation-resend": Row(
        get=NO, post=TEAM_ADMIN, kwargs=invitation_kwargs, scoped=True
    ),
    "meetings:invitation-revoke": Row(
        get=NO, post=TEAM_ADMIN, kwargs=invitation_kwargs, scoped=True
    ),
    "meetings:invitation-accept": Row(
        get=invitation_accept, post=invitation_accept, kwargs=invitation_token
    ),
    "accounts:calendar-reset": Row(get=NO, post=LOGGED_IN),
    "meetings:meeting-list": Row(get=LOGGED_IN, post=NO),
    "meetings:meeting-create": Row(
        get=FACILITATOR, post=FACILITATOR, kwargs=team_kwargs, scoped=True
    ),
    "meetings:series-create": Row(
        get=FACILITATOR, post=FACILITATOR, kwargs=team_kwargs, scoped=True
    ),
    "meetings:series-detail": Row(
        get=FACILITATOR, post=FACILITATOR, kwargs=series_kwargs, scoped=True
    ),
    "meetings:series-end": Row(get=NO, post=FACILITATOR, kwargs=series_kwargs, scoped=True),
    "meetings:meeting-detail": Row(get=MEMBER, post=NO, kwargs=meeting_kwargs, scoped=True),
    "meetings:meeting-round": Row(get=MEMBER, post=NO, kwargs=meeting_kwargs, scoped=True),
    "meetings:meeting-edit": Row(
        get=FACILITATOR, post=FACILITATOR, kwargs=meeting_kwargs, scoped=True
    ),
    "meetings:meeting-skip": Row(get=NO, post=FACILITATOR, kwargs=meeting_kwargs, scoped=True),
    "meetings:attendee-add": Row(get=NO, post=FACILITATOR, kwargs=meeting_kwargs, scoped=True),
    "meetings:attendee-update": Row(
        get=NO, post=FACILITATOR, kwargs=attendance_kwargs, scoped=True
    ),
    "meetings:agenda-add": Row(get=NO, post=FACILITATOR, kwargs=meeting_kwargs, scoped=True),
    "meetings:agenda-edit": Row(get=FACILITATOR, post=FACILITATOR, kwargs=item_kwargs, scoped=True),
    "meetings:agenda-move": Row(get=NO, post=FACILITATOR, kwargs=item_kwargs, scoped=True),
    "meetings:agenda-delete": Row(get=NO, post=FACILITATOR, kwargs=item_kwargs, scoped=True),
    "meetings:agenda-notes": Row(get=NO, post=FACILITATOR, kwargs=item_kwargs, scoped=True),
    "meetings:meeting-start": Row(
        get=FACILITATOR, post=FACILITATOR, kwargs=meeting_kwargs, scoped=True
    ),
    "meetings:meeting-present": Row(get=FACILITATOR, post=NO, kwargs=meeting_kwargs, scoped=True),
    "meetings:attendee-presented": Row(
        get=NO, post=FACILITATOR, kwargs=attendance_kwargs, scoped=True
    ),
    "meetings:insight-star": Row(get=NO, post=FACILITATOR, kwargs=insight_kwargs, scoped=True),
    "meetings:action-add": Row(get=NO, post=FACILITATOR, kwargs=meeting_kwargs, scoped=True),
    "meetings:action-toggle": Row(get=NO, post=FACILITATOR, kwargs=action_kwargs, scoped=True),
    "meetings:meeting-end": Row(
        get=FACILITATOR, post=FACILITATOR, kwargs=meeting_kwargs, scoped=True
    ),
    "meetings:meeting-summary": Row(get=MEMBER, post=NO, kwargs=meeting_kwargs, scoped=True),
    "meetings:meeting-ics": Row(get=MEMBER, post=NO, kwargs=meeting_kwargs, scoped=True),
    "meetings:calendar-feed": Row(get=PUBLIC, post=NO, kwargs=feed_kwargs),
    "meetings:webhook-save": Row(get=NO, post=TEAM_ADMIN, kwargs=team_kwargs, scoped=True),
    "meetings:webhook-delete": Row(get=NO, post=TEAM_ADMIN, kwargs=webhook_kwargs, scoped=True),
    "reminders:snooze": Row(get=PUBLIC, post=PUBLIC, kwargs=snooze_kwargs, query=snooze_query),
    "reminders:unsubscribe": Row(get=PUBLIC, post=PUBLIC, query=unsubscribe_query),
    "reminders:failures": Row(get=ORG_ADMIN, post=NO),
    "insights:submit-next": Row(get=MEMBER, post=NO, kwargs=team_kwargs, scoped=True),
    "insights:submit": Row(
        get=attendee_only, post=attendee_only, kwargs=meeting_kwargs, scoped=True
    ),
    "insights:submit-link": Row(get=PUBLIC, post=PUBLIC, kwargs=link_kwargs, query=link_query),
    "insights:fresh-link": Row(get=NO, post=PUBLIC, kwargs=link_kwargs),
    "insights:dashboard": Row(get=ORG_ADMIN, post=NO),
    "insights:team-dashboard": Row(get=FACILITATOR, post=NO, kwargs=team_kwargs, scoped=True),
    "insights:my-record": Row(get=LOGGED_IN, post=NO),
    "insights:library": Row(get=LOGGED_IN, post=NO, shared=True),
    "insights:export": Row(get=LOGGED_IN, post=NO, shared=True),
    "insights:detail": Row(
        get=readable, post=NO, kwargs=library_insight_kwargs, scoped=True, shared=True
    ),
    "insights:react": Row(
        get=NO, post=readable, kwargs=library_insight_kwargs, scoped=True, shared=True
    ),
    "insights:customers": Row(get=LOGGED_IN, post=NO, shared=True),
    "insights:customer": Row(
        get=LOGGED_IN, post=NO, kwargs=customer_kwargs, scoped=True, shared=True
    ),
    "insights:customer-edit": Row(
        get=customer_editor, post=customer_editor, kwargs=customer_kwargs, scoped=True
    ),
    "insights:sharing": Row(get=ORG_ADMIN, post=ORG_ADMIN),
}


def named_urls(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from named_urls(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_has_a_row():
    routes = {name for name in named_urls() if not name.startswith("admin:")}

    assert routes - MATRIX.keys() == set(), "add these routes to the permission matrix"
    assert MATRIX.keys() - routes == set(), "these rows name routes that no longer exist"


def expected(row: Row, level, persona: str, scope: str, sharing: str) -> str | int:
    """Every view answers in the same order: log in first, then 405, then 403/404."""
    if callable(level):
        return level(persona, scope, sharing) if row.shared else level(persona, scope)
    if level == PUBLIC:
        return "ok"
    public = any(lvl == PUBLIC or (callable(lvl) and not row.shared) for lvl in (row.get, row.post))
    if persona == "anonymous" and not public:
        return "login"
    if level is NO:
        return 405
    if level == LOGGED_IN:
        return "ok"
    if level == OWNER:
        return "ok" if scope == "own" else 404
    if level == ORG_ADMIN:
        return "ok" if persona == "org_admin" else 403
    # A team role.
    if persona == "org_admin":
        return "ok"
    if scope == "other" or persona == "outsider":
        return 404
    return "ok" if ROLE_RANK[persona_role(persona)] >= ROLE_RANK[level] else 403


def persona_role(persona: str) -> str:
    return {"member": MEMBER, "facilitator": FACILITATOR, "team_admin": TEAM_ADMIN}[persona]


def cases():
    for name, row in MATRIX.items():
        for method in ("GET", "POST"):
            for persona in PERSONAS:
                for scope in ("own", "other") if row.scoped else ("own",):
                    for sharing in ("insights", "counts") if row.shared else ("insights",):
                        yield pytest.param(
                            name, method, persona, scope, sharing,
                            id=f"{name}-{method}-{persona}-{scope}"
                            + (f"-{sharing}" if row.shared else ""),
                        )  # fmt: skip


@pytest.fixture
def world(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    hello = EmailMultiAlternatives("Hello", "A message in the outbox.", to=["bob@example.com"])
    hello.attach_alternative("<p>A message in the outbox.</p>", "text/html")
    hello.send()

    own, other = TeamFactory(slug="own"), TeamFactory(slug="other")
    people = {
        "outsider": UserFactory(email="outsider@example.com"),
        "member": UserFactory(email="member@example.com"),
        "facilitator": UserFactory(email="facilitator@example.com"),
        "team_admin": UserFactory(email="admin@example.com"),
        "org_admin": UserFactory(email="org@example.com", is_staff=True),
    }
    # The outsider is admin of a third team: powerful, but not here.
    MembershipFactory(team=TeamFactory(slug="third"), user=people["outsider"], role=TEAM_ADMIN)
    for persona in ("member", "facilitator", "team_admin"):
        MembershipFactory(team=own, user=people[persona], role=persona_role(persona))
    world = {"people": people}
    for scope, team in (("own", own), ("other", other)):
        target = MembershipFactory(team=team, role=MEMBER)
        meeting = services.create_meeting(
            team=team, title="Round", starts_at=timezone.now() + dt.timedelta(hours=3),
            duration_minutes=30,
        )  # fmt: skip
        insight = InsightFactory(meeting=meeting, author=target.user)
        world[scope] = {
            "team": team,
            "target": target,
            "team_away": Away.objects.create(
                user=target.user,
                team=team,
                starts_on=dt.date(2030, 1, 1),
                ends_on=dt.date(2030, 1, 2),
            ),
            "invitation": Invitation.objects.create(team=team, email=f"new-{scope}@example.com"),
            "meeting": meeting,
            "item": services.add_agenda_item(meeting=meeting, title="Pipeline", minutes=10),
            "attendance": meeting.attendances.get(user=target.user),
            "series": SeriesFactory(team=team),
            "webhook": TeamWebhook.objects.create(
                team=team, kind="slack", url="https://hooks.example.com/x"
            ),
            "insight": insight,
            "action": insight_services.add_action(
                meeting=meeting,
                title="Call back",
                owner=target.user,
                due_on=None,
                insight=insight,
                by=target.user,
            ),
        }
    return world


@pytest.mark.parametrize(("name", "method", "persona", "scope", "sharing"), list(cases()))
def test_permission_matrix(client, world, name, method, persona, scope, sharing):
    row = MATRIX[name]
    Sharing.objects.create(pk=1, other_teams=sharing)
    user = world["people"].get(persona)
    if user is not None:
        client.force_login(user)
    # An away period that is the persona's own ("own") or someone else's ("other").
    owner = user if scope == "own" and user is not None else world["people"]["member"]
    world["away"] = Away.objects.create(
        user=owner, starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 1, 2)
    )
    url = reverse(name, kwargs=row.kwargs(world, scope))
    if row.query:
        url += "?" + row.query(world, scope)

    response = client.get(url) if method == "GET" else client.post(url, {})

    want = expected(row, row.get if method == "GET" else row.post, persona, scope, sharing)
    if want == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/")
    elif want == "ok":
        assert response.status_code in (200, 302), response.status_code
        assert not response.get("Location", "").startswith("/accounts/login/")
    else:
        assert response.status_code == want


def test_anonymous_htmx_request_gets_a_client_redirect_to_login(client, world):
    target = world["own"]["target"]
    url = reverse("meetings:member-role", args=["own", target.pk])

    response = client.post(
        url,
        {"role": "admin"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/teams/own/"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/teams/own/"
    target.refresh_from_db()
    assert target.role == MEMBER


def test_a_foreign_team_id_in_the_form_body_is_ignored(client, world):
    client.force_login(world["people"]["team_admin"])
    other_target = world["other"]["target"]

    # The membership id belongs to another team; the URL's team is ours.
    response = client.post(
        reverse("meetings:member-role", args=["own", other_target.pk]), {"role": "admin"}
    )

    assert response.status_code == 404
    other_target.refresh_from_db()
    assert other_target.role == MEMBER
