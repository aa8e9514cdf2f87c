"""The insight library: everything customers told the user's teams, searchable,
filterable, exportable; each insight with its meeting, actions and reactions."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import login_required
from accounts.models import User
from insightboard.fields import DateField
from meetings.access import access_team
from meetings.models import Team

from ..access import access_customer, access_insight, visible_insights
from ..csvexport import csv_response
from ..models import Customer, Insight, Reaction, Tag
from ..search import search

PAGE_SIZE = 25
CSV_COLUMNS = [
    "submitted_at", "team", "meeting", "meeting_date", "author", "customer", "segment",
    "contact", "conversation_date", "channel", "said", "so_what", "tags", "late", "starred",
]  # fmt: skip
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).


class LibraryFilter(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words customers said…"}))  # fmt: skip
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, to_field_name="slug",
                                  empty_label="All my teams")  # fmt: skip
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, empty_label="Any customer"
    )
    segment = forms.ChoiceField(required=False)
    tag = forms.ModelChoiceField(queryset=Tag.objects.none(), required=False, empty_label="Any tag")
    channel = forms.ChoiceField(
        choices=[("", "Any channel"), *Insight.Channel.choices], required=False
    )
    author = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    start = DateField(label="From", required=False)
    end = DateField(label="To", required=False)
    starred = forms.BooleanField(label="Insights of the meeting only", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.all() if user.is_staff else Team.objects.filter(memberships__user=user)
        self.fields["team"].queryset = teams
        self.fields["customer"].queryset = Customer.objects.filter(team__in=teams).order_by("name")
        self.fields["tag"].queryset = Tag.objects.filter(team__in=teams).order_by("name")
        self.fields["author"].queryset = (
            User.objects.filter(insights__team__in=teams).distinct().order_by("name")
        )
        segments = (
            Customer.objects.filter(team__in=teams)
            .exclude(segment="")
            .values_list("segment", flat=True)
        )
        self.fields["segment"].choices = [
            ("", "Any segment"),
            *((s, s) for s in sorted(set(segments))),
        ]

    def apply(self, insights):
        if not self.is_bound:
            return insights
        # The valid fields still apply when one is invalid (its error shows next to it).
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        for field in ("team", "customer", "author"):
            if data[field]:
                insights = insights.filter(**{field: data[field]})
        if data["tag"]:
            insights = insights.filter(tags=data["tag"])
        if data["segment"]:
            insights = insights.filter(customer__segment=data["segment"])
        if data["channel"]:
            insights = insights.filter(channel=data["channel"])
        if data["start"]:
            insights = insights.filter(conversation_date__gte=data["start"])
        if data["end"]:
            insights = insights.filter(conversation_date__lte=data["end"])
        if data["starred"]:
            insights = insights.filter(is_starred=True)
        return search(insights, data["q"] or "")


def _filtered(request: HttpRequest):
    form = LibraryFilter(request.GET or None, user=request.user)
    insights = form.apply(visible_insights(request.user).order_by("-submitted_at"))
    return form, insights


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    form, insights = _filtered(request)
    insights = insights.select_related("author", "customer", "team", "meeting").prefetch_related(
        "tags"
    )
    page = Paginator(insights, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "insights/library.html", {"form": form, "page": page, "query": query.urlencode()}
    )


def _csv_rows(insights):
    # iterator(): rows stream from the database in chunks, never all in memory.
    for insight in insights.iterator(chunk_size=2000):
        yield (
            insight.submitted_at.isoformat(), insight.team.name, insight.meeting.title,
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
    return csv_response("insights", CSV_COLUMNS, _csv_rows(insights))


@login_required
@require_GET
def detail(request: HttpRequest, slug: str, insight_id: int) -> HttpResponse:
    access = access_team(request.user, slug)
    insight = access_insight(access, insight_id)
    counts = dict(insight.reactions.values_list("kind").annotate(n=Count("pk")))
    mine = set(insight.reactions.filter(user=request.user).values_list("kind", flat=True))
    reactions = [
        (kind, label, counts.get(kind, 0), kind in mine) for kind, label in Reaction.Kind.choices
    ]
    is_member = insight.team.memberships.filter(user=insight.author).exists()
    return render(
        request,
        "insights/detail.html",
        {"access": access, "team": access.team, "insight": insight, "reactions": reactions,
         "actions": insight.actions.select_related("owner"), "author_is_member": is_member},
    )  # fmt: skip


@login_required
@require_POST
def react(request: HttpRequest, slug: str, insight_id: int) -> HttpResponse:
    """Toggle one reaction; one of each kind per person."""
    access = access_team(request.user, slug)
    insight = access_insight(access, insight_id)
    kind = request.POST.get("kind")
    if kind in Reaction.Kind.values:
        deleted, _ = Reaction.objects.filter(insight=insight, user=request.user, kind=kind).delete()
        if not deleted:
            Reaction.objects.get_or_create(insight=insight, user=request.user, kind=kind)
    return redirect(insight)


@login_required
@require_GET
def customer(request: HttpRequest, slug: str, customer_id: int) -> HttpResponse:
    """Everything heard from one customer, and when."""
    access = access_team(request.user, slug)
    customer = access_customer(access, customer_id)
    insights = (
        customer.insights.select_related("author", "meeting")
        .prefetch_related("tags")
        .order_by("-conversation_date", "-submitted_at")
    )
    last = insights.first()
    days_since = (timezone.localdate() - last.conversation_date).days if last else None
    return render(
        request,
        "insights/customer.html",
        {"access": access, "team": access.team, "customer": customer, "insights": insights,
         "days_since": days_since, "people": insights.values("author").distinct().count()},
    )  # fmt: skip
