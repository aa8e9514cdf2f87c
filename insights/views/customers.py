"""The organisation's customers: coverage (who was heard, by which teams, and who
we are not hearing), each customer's page with every team's insights as far as the
sharing setting allows, renaming and merging typos, and that setting."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import login_required, org_admin_required
from insightboard.fields import SingleLineField
from meetings.models import Team

from .. import participation
from ..access import (
    access_customer,
    access_customer_to_edit,
    can_edit_customer,
    merged_into,
    readable_insights,
)
from ..csvexport import csv_response
from ..customers import MERGE_ITSELF, MERGE_UNKNOWN, merge_customers, update_customer
from ..models import Customer, Sharing
from .dashboards import _percent, _period, _remembered

PAGE_SIZE = 50
UNHEARD_SHOWN = 20


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Which customers and segments were heard in the period, by which teams, and the
    ones we are not hearing. Counts and dates only, so every member may see it."""
    form, period = _period(request)
    heard = _remembered(lambda: participation.heard_by_team(period), "heard", period,
                        version=participation.results_version())  # fmt: skip
    covered = participation.coverage(heard)
    export = request.GET.get("export")
    if export == "segments":
        return csv_response(
            "segments", ["segment", "customers", "heard", "heard %", "insights", "teams"],
            ([s.segment or "(none)", s.customers, s.heard, _percent(s.heard_share),
              s.insights, len(s.teams)] for s in covered.segments),
            period=period,
        )  # fmt: skip
    if export == "customers":
        return csv_response(
            "customers-heard", ["customer", "segment", "tier", "insights", "teams"],
            ([r["customer"].name, r["customer"].segment, r["customer"].get_tier_display(),
              r["insights"], "; ".join(f"{name} ({n})" for name, n in r["team_names"])]
             for r in _heard_rows(covered.customers)),
            period=period,
        )  # fmt: skip
    if export == "unheard":
        unheard = list(participation.unheard(period)[:1000])
        counts = participation.insights_per_customer([c.pk for c in unheard])
        return csv_response(
            "not-heard", ["customer", "segment", "tier", "last heard", "insights"],
            ([c.name, c.segment, c.get_tier_display(),
              c.last_heard_on.isoformat() if c.last_heard_on else "", counts.get(c.pk, 0)]
             for c in unheard),
            period=period,
        )  # fmt: skip
    page = Paginator(covered.customers, PAGE_SIZE).get_page(request.GET.get("page"))
    unheard = list(participation.unheard(period)[:UNHEARD_SHOWN])
    counts = participation.insights_per_customer([c.pk for c in unheard])
    query = request.GET.copy()
    for name in ("page", "export"):
        query.pop(name, None)
    return render(
        request,
        "insights/coverage.html",
        {"form": form, "period": period, "segments": covered.segments, "page": page,
         "heard_rows": list(_heard_rows(page.object_list)), "today": timezone.localdate(),
         "unheard": [(c, counts.get(c.pk, 0)) for c in unheard],
         "key_heard": covered.key_heard, "key_total": covered.key_total,
         "query": query.urlencode(), "definitions": participation.definitions()},
    )  # fmt: skip


def _heard_rows(heard: list[participation.HeardCustomer]):
    """Heard customers with their names, segments and tiers as they are now, and the
    names of the teams that heard them, most insights first."""
    customers = Customer.objects.in_bulk([h.customer_id for h in heard])
    team_ids = {t for h in heard for t in h.teams}
    names = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    for h in heard:
        teams = sorted(((names[t], n) for t, n in h.teams.items()), key=lambda t: (-t[1], t[0]))
        yield {"customer": customers[h.customer_id], "insights": h.insights, "team_names": teams}


@login_required
@require_GET
def customer(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Everything heard from one customer, by every team: counts and dates always,
    the insights themselves as far as the sharing setting lets this person read."""
    became = merged_into(customer_id)
    if became is not None:  # merged away: its old links lead to the customer it became
        return redirect(became)
    customer = access_customer(customer_id)
    sharing = Sharing.current()
    by_team = list(
        customer.insights.values("team__name")
        .annotate(n=Count("pk"), last=Max("conversation_date"))
        .order_by("-last", "team__name")
    )
    insights = (
        readable_insights(request.user, sharing)
        .filter(customer=customer)
        .select_related("author", "team")
        .prefetch_related("tags")
        .order_by("-conversation_date", "-submitted_at")
    )
    page = Paginator(insights, 25).get_page(request.GET.get("page"))
    total = sum(t["n"] for t in by_team)
    last = max((t["last"] for t in by_team), default=None)
    return render(
        request,
        "insights/customer.html",
        {"customer": customer, "page": page, "by_team": by_team, "total": total,
         "hidden": total - page.paginator.count,
         "last_heard": last, "today": timezone.localdate(),
         "aliases": list(customer.aliases.all()),
         "can_edit": can_edit_customer(request.user, customer)},
    )  # fmt: skip


class CustomerForm(forms.Form):
    name = SingleLineField(max_length=120)
    segment = SingleLineField(max_length=60, required=False,
                              widget=forms.TextInput(attrs={"list": "segments"}))  # fmt: skip
    tier = forms.ChoiceField(choices=Customer.Tier.choices, label="Importance",
                             help_text="Key accounts lead the “who are we not hearing” list.")  # fmt: skip


class MergeForm(forms.Form):
    into = SingleLineField(
        label="The right customer", max_length=120,
        help_text="The customer this one should have been.",
        widget=forms.TextInput(attrs={"list": "customer-names", "autocomplete": "off"}),
    )  # fmt: skip
    # Set by the confirmation step: the first submit only shows what will happen.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_into(self) -> Customer:
        name = self.cleaned_data["into"]
        target = Customer.objects.named(name)
        if target is None:
            raise ValidationError(MERGE_UNKNOWN, params={"name": name}, code="unknown")
        return target


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Rename (the old name stays as an alias), set segment and importance; or merge
    a duplicate into the right customer."""
    customer = access_customer_to_edit(request.user, customer_id)
    initial = {"name": customer.name, "segment": customer.segment, "tier": customer.tier}
    form = CustomerForm(initial=initial)
    merge = MergeForm()
    review = None
    if request.method == "POST" and "merge" in request.POST:
        merge = MergeForm(request.POST)
        if merge.is_valid() and not merge.cleaned_data["confirm"]:
            target = merge.cleaned_data["into"]
            if target.pk == customer.pk:
                merge.add_error("into", MERGE_ITSELF)
            else:  # say what will happen, and ask once more
                review = {"into": target, "insights": customer.insights.count()}
        elif merge.is_valid():
            try:
                into = merge_customers(source=customer, into=merge.cleaned_data["into"])
            except ValidationError as error:
                merge.add_error(None, error)
            else:
                messages.success(request, f"“{customer.name}” is merged into “{into.name}”.")
                return redirect(into)
    elif request.method == "POST":
        form = CustomerForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                update_customer(customer=customer, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Customer saved, for every team.")
                return redirect(customer)
    names = Customer.objects.exclude(pk=customer.pk).order_by("name").values_list("name", flat=True)
    return render(
        request,
        "insights/customer_edit.html",
        {"customer": customer, "form": form, "merge": merge, "review": review,
         "segments": Customer.objects.segments(), "names": names[:500]},
    )  # fmt: skip


class SharingForm(forms.ModelForm):
    class Meta:
        model = Sharing
        fields = ["other_teams"]
        labels = {"other_teams": "What members see of other teams' insights"}
        widgets = {"other_teams": forms.RadioSelect}


@login_required
@require_http_methods(["GET", "POST"])
@org_admin_required
def sharing(request: HttpRequest) -> HttpResponse:
    """The organisation's one setting for reading across teams."""
    current = Sharing.current()
    form = SharingForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        current = form.save(commit=False)
        current.updated_by = request.user
        current.save()
        messages.success(request, "Sharing saved: it applies to every team from now on.")
        return redirect("insights:sharing")
    return render(request, "insights/sharing.html", {"form": form, "sharing": current})
