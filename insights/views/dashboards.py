"""Participation dashboards: the organisation's (its admins' home page), a team's (its
facilitators and admins) and my record (everyone). Figures come from
insights/participation.py; each table downloads as CSV with ?export=<table>."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts.decorators import login_required, org_admin_required
from accounts.models import User
from insightboard.fields import DateField
from insightboard.templatetags.insightboard import pct
from meetings.access import Role, access_team
from meetings.models import Membership, Team
from reminders.figures import reminders_sent

from .. import participation
from ..charts import line_chart
from ..csvexport import csv_response
from ..models import SeatResult
from ..participation import Figures, Period

log = logging.getLogger(__name__)

MAX_DAYS = 3 * 366
DATES_NEEDED = "Give both dates."
DATES_ORDER = "The first date must be on or before the last."
DATES_SPAN = "Choose at most three years."


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        choices=[
            ("4w", "Last 4 weeks"),
            ("12w", "Last 12 weeks"),
            ("52w", "Last 52 weeks"),
            ("dates", "Between dates"),
        ],
        required=False,
        initial="12w",
    )
    start = DateField(label="From", required=False)
    end = DateField(label="To", required=False)

    def __init__(self, data=None, **kwargs):
        if data is not None and (data.get("start") or data.get("end")):
            data = data.copy()
            data["period"] = "dates"  # the choice shown says what is shown
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("start") or data.get("end"):
            data["period"] = "dates"  # dates typed in mean those dates
        if data.get("period") == "dates":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise ValidationError({"start" if not start else "end": DATES_NEEDED})
            if start > end:
                raise ValidationError({"end": DATES_ORDER})
            if (end - start).days > MAX_DAYS:
                raise ValidationError({"start": DATES_SPAN})
        return data

    def chosen(self, today: dt.date) -> Period:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("period") == "dates":
            return Period(start=data["start"], end=data["end"])
        weeks = participation.PERIOD_CHOICES.get(data.get("period") or "12w", 12)
        return Period.last_weeks(weeks, today)


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    form = PeriodForm(request.GET or None)
    return form, form.chosen(timezone.localdate())


# How long figures computed from round results are kept: until results are written
# again (participation.results_version changes) or this long, whichever comes first.
FIGURES_SECONDS = 10 * 60


def _remembered(compute, *key, version: str):
    """compute() once per state of the round results, then from the cache: the
    organisation's figures read every team's results of the period. What also depends
    on actions and customers (the ladder's steps) may lag by up to FIGURES_SECONDS,
    as DEFINITIONS["stage"] says. A cache outage costs the computation, never the page."""
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    name = f"participation:{version}:{digest}"
    try:
        value = cache.get(name)
    except Exception:
        log.warning("figures cache unavailable; computing", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(name, value, FIGURES_SECONDS)
        except Exception:
            log.warning("figures cache unavailable; not kept", exc_info=True)
    return value


def _chart(weeks: list[participation.Week]):
    return line_chart(
        [w.week.strftime("%-d %b") for w in weeks],
        [("line-kept", "Ritual kept", [w.ritual_kept for w in weeks]),
         ("line-submitted", "Submission rate", [w.submission_rate for w in weeks])],
    )  # fmt: skip


def _trend_csv(name: str, weeks, period: Period) -> HttpResponse:
    return csv_response(
        name,
        ["week (Monday)", "ritual kept %", "submission rate %"],
        ((w.week.isoformat(), _percent(w.ritual_kept), _percent(w.submission_rate))
         for w in weeks),
        period=period,
    )  # fmt: skip


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"


@dataclass
class TeamRow:
    team: Team
    figures: Figures
    warning: participation.Warning | None = None
    stage: participation.Stage | None = None


def team_row_html(row: TeamRow, url: str) -> str:
    """One team's row of the organisation table, built here rather than in the template:
    the table has a row per team (hundreds), and a template include with a filter per
    cell was the page's largest cost."""
    badge = ""
    if row.warning:
        reason = escape(row.warning.reason)
        badge = f' <span class="badge badge-late" title="{reason}">needs attention</span>'
    next_step = escape(row.stage.next_step or "At the top of the ladder")
    return mark_safe(
        f'<tr><th scope="row"><a href="{escape(url)}">{escape(row.team.name)}</a>{badge}</th>'
        f"{figures_cells(row.figures)}"
        f'<td class="num" title="{next_step}">{row.stage.reached} of 5</td></tr>'
    )


def figures_cells(f: Figures) -> str:
    """The figure cells of a row of the organisation table, a team's and the total alike:
    numbers formatted here, no text (channels are in the CSV and under the totals, or
    the table would be wider than a desktop screen)."""
    freshness = "–" if f.freshness is None else f"{f.freshness:g} d"
    return mark_safe(
        f'<td class="num">{f.meetings}</td>'
        f'<td class="num"><strong>{pct(f.ritual_kept)}</strong></td>'
        f'<td class="num">{pct(f.submission_rate)}</td><td class="num">{pct(f.on_time_rate)}</td>'
        f'<td class="num">{pct(f.late_rate)}</td><td class="num">{freshness}</td>'
        f'<td class="num">{f.customers}</td><td class="num">{f.reminders_sent}</td>'
        f'<td class="num">{pct(f.within_2h_share)}</td>'
    )


def team_dashboard_urls(teams: list[Team]) -> dict[int, str]:
    """Each team's dashboard URL with one reverse() for the whole table: a slug needs no
    quoting, so it takes the place of a placeholder slug."""
    pattern = reverse("insights:team-dashboard", args=["slug"])
    head, tail = pattern.rsplit("/slug/", 1)
    return {team.pk: f"{head}/{team.slug}/{tail}" for team in teams}


# Sortable columns of the organisation table: key -> value to sort by.
SORTS = {
    "team": lambda r: r.team.name.lower(),
    "meetings": lambda r: r.figures.meetings,
    "ritual_kept": lambda r: r.figures.ritual_kept,
    "submission_rate": lambda r: r.figures.submission_rate,
    "on_time_rate": lambda r: r.figures.on_time_rate,
    "late_rate": lambda r: r.figures.late_rate,
    "freshness": lambda r: r.figures.freshness,
    "customers": lambda r: r.figures.customers,
    "reminders_sent": lambda r: r.figures.reminders_sent,
    "within_2h": lambda r: r.figures.within_2h_share,
    "stage": lambda r: r.stage.reached,
}
TEAM_COLUMNS = [
    "team", "meetings held", "ritual kept %", "submission rate %", "on-time rate %",
    "late rate %", "median freshness (days)", "customers heard", "reminders sent",
    "insights within 2 h of a reminder %", "insights before any reminder %", "channels",
    "stage on the ladder (0-5)",
]  # fmt: skip


def _sorted(rows: list[TeamRow], key: str, descending: bool) -> list[TeamRow]:
    value = SORTS.get(key, SORTS["ritual_kept"])
    present = [r for r in rows if value(r) is not None]
    absent = [r for r in rows if value(r) is None]  # no data: always last
    return sorted(present, key=value, reverse=descending) + absent


def _figures_row(name: str, f: Figures) -> list:
    channels = ", ".join(f"{c} {share * 100:.0f}%" for c, share in f.channel_shares)
    return [name, f.meetings, _percent(f.ritual_kept), _percent(f.submission_rate),
            _percent(f.on_time_rate), _percent(f.late_rate),
            "" if f.freshness is None else f"{f.freshness:g}", f.customers, f.reminders_sent,
            _percent(f.within_2h_share), _percent(f.before_any_share), channels]  # fmt: skip


def _team_figures(period: Period, teams: list[Team]) -> dict[int, Figures]:
    ids = [t.pk for t in teams]
    figures = participation.team_figures(period, ids)
    for team_id, sent in reminders_sent(period, ids).items():
        figures[team_id].reminders_sent = sent
    return figures


def _organisation_rows(period: Period, today: dt.date) -> tuple[list[TeamRow], Figures, list]:
    """Every team's figures, early warning and ladder step, the total and the trend:
    the organisation's page reads every team's results of the period."""
    teams = list(Team.objects.order_by("name"))
    ids = [t.pk for t in teams]
    figures = _team_figures(period, teams)
    overall = participation.total(figures, participation.customers_heard(period, ids))
    warnings = participation.decaying(ids, today)
    stages = participation.stages(ids, today)
    rows = [
        TeamRow(team, figures[team.pk], warnings.get(team.pk), stages[team.pk]) for team in teams
    ]
    return rows, overall, participation.weekly_trend(period, ids)


@login_required
@require_GET
@org_admin_required
def organisation(request: HttpRequest) -> HttpResponse:
    """Is the ritual alive across the teams, and where is it dying?"""
    form, period = _period(request)
    today = timezone.localdate()
    version = participation.results_version()
    sort = request.GET.get("sort", "ritual_kept")
    descending = request.GET.get("dir", "desc") != "asc"
    export = request.GET.get("export")

    def figures():
        return _remembered(
            lambda: _organisation_rows(period, today), "teams", period, today, version=version
        )

    if export in ("teams", "trend"):
        rows, overall, weeks = figures()
        if export == "trend":
            return _trend_csv("weekly-trend", weeks, period)
        return csv_response(
            "teams", TEAM_COLUMNS,
            [[*_figures_row(r.team.name, r.figures), r.stage.reached]
             for r in _sorted(rows, sort, descending)]
            + [[*_figures_row("All teams", overall), ""]],
            period=period,
        )  # fmt: skip
    query = request.GET.copy()
    for name in ("sort", "dir", "export"):
        query.pop(name, None)

    def page() -> dict:
        """What the page shows, rendered once per state of the results and order: a
        warm request reads this one entry and renders only the page around it."""
        rows, overall, weeks = figures()
        rows = _sorted(rows, sort, descending)
        urls = team_dashboard_urls([r.team for r in rows])
        return {
            "overall": overall, "weeks": weeks, "chart": _chart(weeks),
            "overall_cells": figures_cells(overall),
            "table": mark_safe("\n".join(
                team_row_html(r, f"{urls[r.team.pk]}?{query.urlencode()}") for r in rows)),
            "warnings": [(urls[r.team.pk], r.team.name, r.warning.reason)
                         for r in rows if r.warning],
        }  # fmt: skip

    shown = _remembered(page, "page", period, today, sort, descending, query.urlencode(),
                        version=version)  # fmt: skip
    return render(
        request,
        "insights/dashboard.html",
        {**shown, "form": form, "period": period, "sort": sort, "descending": descending,
         "query": query.urlencode(), "definitions": participation.definitions()},
    )  # fmt: skip


OUTCOMES = dict(SeatResult.Outcome.choices)
PEOPLE_COLUMNS = ["person", "expected", "brought an insight", "submission rate %", "on-time rate %",
                  "current streak", "longest streak", "last insight", "customers covered"]  # fmt: skip


@login_required
@require_GET
def team(request: HttpRequest, slug: str) -> HttpResponse:
    """One team's figures, each person's, and the person-by-meeting grid."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    form, period = _period(request)
    today = timezone.localdate()
    team_id = access.team.pk

    def compute():
        figures = _team_figures(period, [access.team])[team_id]
        warning = participation.decaying([team_id], today).get(team_id)
        weeks = participation.weekly_trend(period, [team_id])
        return figures, warning, weeks, participation.people_figures(period, team_id)

    figures, warning, weeks, people = _remembered(
        compute, "team", period, team_id, today, version=participation.results_version()
    )
    stage = participation.stages([access.team.pk], today)[access.team.pk]
    ladder = [
        (name, definition, stood)
        for (name, _), definition, stood in zip(
            participation.LADDER, participation.LADDER_DEFINITIONS, stage.steps, strict=True
        )
    ]
    results, cells = participation.grid(access.team.pk, period)
    ids = {p.user_id for p in people} | {user_id for user_id, _ in cells}
    # The people with results and the team's members (some have none yet), one query.
    in_team = Membership.objects.filter(team=access.team)
    named = User.objects.filter(Q(pk__in=ids) | Q(pk__in=in_team.values("user_id"))).annotate(
        member=Exists(in_team.filter(user=OuterRef("pk")))
    )
    names, members = {}, set()
    for pk, name, member in named.values_list("pk", "name", "member"):
        names[pk] = name
        if member:
            members.add(pk)
    people.sort(key=lambda p: names.get(p.user_id, "").lower())
    grid_people = sorted(ids | members, key=lambda uid: names.get(uid, "").lower())
    export = request.GET.get("export")
    if export == "people":
        return csv_response(f"{slug}-people", PEOPLE_COLUMNS, (
            [names.get(p.user_id, ""), p.expected, p.brought, _percent(p.submission_rate),
             _percent(p.on_time_rate), p.streak.current, p.streak.longest,
             p.last_insight.isoformat() if p.last_insight else "", p.customers]
            for p in people
        ), period=period)  # fmt: skip
    if export == "grid":
        return csv_response(
            f"{slug}-attendance-grid",
            ["person"] + [f"{r.meeting.title} {r.local_date.isoformat()}" for r in results],
            ([names.get(uid, "")] + [OUTCOMES.get(cells.get((uid, r.pk)), "") for r in results]
             for uid in grid_people),
            period=period,
        )  # fmt: skip
    if export == "trend":
        return _trend_csv(f"{slug}-weekly-trend", weeks, period)
    grid_rows = [
        (names.get(uid, ""), uid in members, [cells.get((uid, r.pk)) for r in results])
        for uid in grid_people
    ]
    return render(
        request,
        "insights/team_dashboard.html",
        {"access": access, "team": access.team, "form": form, "period": period,
         "figures": figures, "warning": warning, "stage": stage, "ladder": ladder,
         "weeks": weeks, "chart": _chart(weeks), "people": people, "names": names,
         "members": members, "results": results, "grid_rows": grid_rows,
         "query": request.GET.urlencode(), "definitions": participation.definitions()},
    )  # fmt: skip


@login_required
@require_GET
def my_record(request: HttpRequest) -> HttpResponse:
    """My streak, my history, the customers I covered, my teams' ritual."""
    user = request.user
    streak = participation.streak_so_far(user)
    history = list(participation.seats_of(user.pk)[:20])
    customers = list(
        participation.seats_of(user.pk)
        .filter(insight__isnull=False, customer__isnull=False)
        .values("customer__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "customer__name")[:20]
    )
    teams = list(Team.objects.filter(memberships__user=user).order_by("name"))
    period = Period.last_weeks(12, timezone.localdate())
    figures = participation.round_figures(period, [t.pk for t in teams])
    return render(
        request,
        "insights/my_record.html",
        {"streak": streak, "history": history, "customers": customers,
         "teams": [(t, figures[t.pk]) for t in teams], "next_milestone": next(
             (m for m in participation.MILESTONES if m > streak.current), None),
         "definitions": participation.definitions()},
    )  # fmt: skip
