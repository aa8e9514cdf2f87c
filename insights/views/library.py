"""The insight library: everything customers told the user's teams, searchable,
filterable, exportable; each insight with its meeting, actions and reactions."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import login_required
from insightboard.fields import DateField
from meetings.models import Team

from ..access import access_insight, own_teams, readable_insights, reads_other_teams
from ..csvexport import csv_response, timestamp_column
from ..models import Customer, Insight, Reaction, Sharing, Tag
from ..search import NEWEST, RANKED, search
from .dashboards import DATES_ORDER

PAGE_SIZE = 25
COUNT_CAP = 1000


class LibraryPaginator(Paginator):
    """Counts up to COUNT_CAP (shown as "1,000+ insights"): counting a whole
    organisation's library for every page cost more than the page. Pages go as far
    as the cap; dates and filters reach further back."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def more_than_shown(self) -> bool:
        return self.count > COUNT_CAP


# The header says "submitted_at (Europe/Brussels)": the zone the timestamps are in.
CSV_COLUMNS = [
    "submitted_at", "team", "meeting", "meeting_date", "author", "customer", "segment",
    "contact", "conversation_date", "channel", "said", "so_what", "tags", "late", "starred",
]  # fmt: skip
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).


# The fields behind the Filters disclosure: every one but the search box.
FILTERS = ("team", "customer", "segment", "tag", "channel", "author", "start", "end", "starred")


class LibraryFilter(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words customers said…"}))  # fmt: skip
    team = forms.CharField(required=False, max_length=100, help_text="Every team if empty.",
                           widget=forms.TextInput(attrs={"list": "team-names"}))  # fmt: skip
    # Words, not lists: the organisation's customers and people run to thousands.
    customer = forms.CharField(required=False, max_length=120,
                               widget=forms.TextInput(attrs={"list": "customer-names"}))  # fmt: skip
    segment = forms.ChoiceField(required=False)
    tag = forms.CharField(required=False, max_length=40,
                          widget=forms.TextInput(attrs={"list": "tag-names"}))  # fmt: skip
    channel = forms.ChoiceField(
        choices=[("", "Any channel"), *Insight.Channel.choices], required=False
    )
    author = forms.CharField(label="Who brought it", required=False, max_length=120)
    start = DateField(label="From", required=False)
    end = DateField(label="To", required=False)
    starred = forms.BooleanField(label="Only those starred as the insight of the meeting",
                                 required=False)  # fmt: skip

    def __init__(self, *args, user, sharing: Sharing, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.all() if reads_other_teams(user, sharing) else own_teams(user)
        # Suggestions only (a plain loop in the template: a <select> of every team
        # rendered an option template per team).
        self.team_names = teams.order_by("name").values_list("name", flat=True)
        self.fields["segment"].choices = [
            ("", "Any segment"),
            *((s, s) for s in sorted(Customer.objects.segments())),
        ]

    @property
    def active_filters(self) -> int:
        """How many filters (the search words aside) are set: the Filters disclosure
        says so, and opens."""
        return sum(1 for name in FILTERS if self.is_bound and self.data.get(name))

    def clean_tag(self) -> str:
        return self.cleaned_data["tag"].strip().lstrip("#").strip()  # as the cards show them

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", DATES_ORDER)
        return data

    def apply(self, insights):
        if not self.is_bound:
            return insights
        # The valid fields still apply when one is invalid (its error shows next to it).
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        if data["team"]:
            insights = insights.filter(
                Q(team__slug=data["team"]) | Q(team__name__iexact=data["team"])
            )
        if data["customer"]:
            named = Customer.objects.filter(
                Q(name__icontains=data["customer"]) | Q(aliases__name__iexact=data["customer"])
            )
            insights = insights.filter(customer__in=named.values("pk"))
        if data["author"]:
            insights = insights.filter(author__name__icontains=data["author"])
        if data["tag"]:
            tagged = Tag.objects.filter(name__icontains=data["tag"])
            insights = insights.filter(tags__in=tagged).distinct()
        if data["segment"]:
            insights = insights.filter(customer__segment=data["segment"])
        if data["channel"]:
            insights = insights.filter(channel=data["channel"])
        if data["start"]:
            insights = insights.filter(conversation_date__gte=data["start"])
        if data["end"] and not self.has_error("end"):
            insights = insights.filter(conversation_date__lte=data["end"])
        if data["starred"]:
            insights = insights.filter(is_starred=True)
        return search(insights, data["q"] or "")


def _filtered(request: HttpRequest):
    sharing = Sharing.current()
    form = LibraryFilter(request.GET or None, user=request.user, sharing=sharing)
    insights = form.apply(readable_insights(request.user, sharing).order_by(*NEWEST))
    return form, insights


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    form, insights = _filtered(request)
    # meeting__team: each card says when the conversation was on its team's calendar.
    insights = insights.select_related(
        "author", "customer", "team", "meeting__team"
    ).prefetch_related("tags")
    page = LibraryPaginator(insights, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tags = Tag.objects.filter(team__in=own_teams(request.user)).values_list("name", flat=True)
    return render(
        request,
        "insights/library.html",
        {"form": form, "page": page, "query": query.urlencode(), "cap": f"{COUNT_CAP:,}",
         "ranked": RANKED,
         # Each insight's page leads back here, to this search, these filters, this page.
         "back": urlencode({"back": request.get_full_path()}) if request.GET else "",
         "tag_names": tags.order_by("name").distinct()[:200]},
    )  # fmt: skip


def library_back(request: HttpRequest) -> str:
    """Where an insight's "← Library" leads: the library page the person came from,
    with its search, filters and page (the `back` parameter the library's links
    carry), when it is one of ours and the library's; the library otherwise."""
    library = reverse("insights:library")
    back = request.GET.get("back", "")
    parts = urlsplit(back)
    ours = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if ours and not parts.scheme and not parts.netloc and parts.path == library:
        return back
    return library


def _csv_rows(insights):
    # iterator(): rows stream from the database in chunks, never all in memory.
    for insight in insights.iterator(chunk_size=2000):
        yield (
            insight.submitted_at, insight.team.name, insight.meeting.title,
            insight.meeting.starts_at.astimezone(insight.team.zone).date().isoformat(),
            insight.author.name, insight.customer.name,
            insight.customer.segment, insight.contact, insight.conversation_date.isoformat(),
            insight.get_channel_display(), insight.said, insight.so_what,
            ", ".join(t.name for t in insight.tags.all()), "yes" if insight.is_late else "",
            "yes" if insight.is_starred else "",
        )  # fmt: skip


@login_required
@require_GET
def export(request: HttpRequest) -> StreamingHttpResponse:
    _form, insights = _filtered(request)
    insights = insights.select_related("author", "customer", "team", "meeting").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("name"))
    )
    header = [timestamp_column(CSV_COLUMNS[0]), *CSV_COLUMNS[1:]]
    return csv_response("insights", header, _csv_rows(insights))


@login_required
@require_GET
def detail(request: HttpRequest, slug: str, insight_id: int) -> HttpResponse:
    """One insight, for anyone who may read it: its team's members, and other teams'
    when the organisation shares insights (the meeting link only for its team)."""
    insight = access_insight(request.user, slug, insight_id)
    counts = dict(insight.reactions.values_list("kind").annotate(n=Count("pk")))
    mine = set(insight.reactions.filter(user=request.user).values_list("kind", flat=True))
    reactions = [
        (kind, label, counts.get(kind, 0), kind in mine) for kind, label in Reaction.Kind.choices
    ]
    members = set(
        insight.team.memberships.filter(user__in=[insight.author, request.user]).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request,
        "insights/detail.html",
        {"team": insight.team, "insight": insight, "reactions": reactions,
         "back": library_back(request),
         "back_query": _back_query(request),
         "actions": insight.actions.select_related("owner"),
         "author_is_member": insight.author_id in members,
         "sees_meeting": request.user.pk in members or request.user.is_staff},
    )  # fmt: skip


@login_required
@require_POST
def react(request: HttpRequest, slug: str, insight_id: int) -> HttpResponse:
    """Toggle one reaction; one of each kind per person."""
    insight = access_insight(request.user, slug, insight_id)
    kind = request.POST.get("kind")
    if kind in Reaction.Kind.values:
        deleted, _ = Reaction.objects.filter(insight=insight, user=request.user, kind=kind).delete()
        if not deleted:
            Reaction.objects.get_or_create(insight=insight, user=request.user, kind=kind)
    return redirect(insight.get_absolute_url() + _back_query(request, "?"))


def _back_query(request: HttpRequest, prefix: str = "") -> str:
    """The `back` parameter to carry on, from an insight's page to itself (a reaction
    reloads it), when it leads somewhere else than the bare library."""
    back = library_back(request)
    return prefix + urlencode({"back": back}) if back != reverse("insights:library") else ""
