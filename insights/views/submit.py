"""Submitting an insight: from a phone, in under a minute, from a reminder's link
or while logged in. Both ways share one form, one template and one service."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from accounts.decorators import login_required
from accounts.models import normalize_address
from meetings.access import access_meeting, access_team
from meetings.models import Attendance, Meeting
from reminders.services import queue_fresh_link

from .. import links
from ..forms import InsightForm
from ..models import Customer, Insight
from ..participation import milestone_reached
from ..round import with_round_counts
from ..services import submit_insight

WILL_BE_LATE = "This meeting has started: your insight will be marked late."


def _insight_page(
    request: HttpRequest, *, meeting: Meeting, author, post_url: str, via_link: bool,
    is_member: bool,
) -> HttpResponse:  # fmt: skip
    if not meeting.is_open:
        return render(request, "insights/submit_closed.html", {"meeting": meeting}, status=410)
    instance = (
        Insight.objects.filter(meeting=meeting, author=author)
        .select_related("customer")
        .prefetch_related("tags")
        .first()
    )
    today = timezone.localdate(timezone=author.zone)
    form = InsightForm(
        request.POST if request.method == "POST" else None,
        meeting=meeting, author=author, today=today, instance=instance,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        # Customer, tags and insight together or not at all.
        with transaction.atomic():
            submit_insight(meeting=meeting, author=author, data=form.resolved())
        separator = "&" if "?" in post_url else "?"
        # "first": the insight is new (a milestone is celebrated once, not at every edit).
        return redirect(f"{post_url}{separator}saved={'1' if instance else 'first'}")
    # The round's counts and the author's own place in it, from the same two queries.
    (counted,) = with_round_counts([meeting], user=author)
    saved = request.GET.get("saved") in ("1", "first") and instance is not None
    first_save = saved and request.GET.get("saved") == "first"
    excused = counted.my_status == Attendance.Status.EXCUSED
    # Customers are the organisation's one list, the most recently heard first; tags are
    # the team's own, so a guest from another team doesn't see them.
    customers = Customer.objects.order_by(F("last_heard_on").desc(nulls_last=True), "name")
    context = {
        "meeting": meeting,
        "team": meeting.team,
        "author": author,
        "form": form,
        "instance": instance,
        "post_url": post_url,
        "via_link": via_link,
        "saved": saved,
        # Said before saving: lateness is fixed at the first save (edits keep it).
        "will_be_late": WILL_BE_LATE if instance is None and meeting.is_late(timezone.now()) else "",
        "milestone": milestone_reached(author) if first_save and not excused else None,
        "submitted": counted.submitted_count,
        "expected": counted.expected_count,
        "extra": counted.extra_count,
        "excused": excused,
        "customers": customers.values_list("name", flat=True)[:500],
        "segments": Customer.objects.segments(),
        "tags": meeting.team.tags.order_by("name").values_list("name", flat=True)[:40] if is_member else [],
        "draft_key": f"insight-draft:{meeting.pk}:{author.pk}",
    }  # fmt: skip
    return render(request, "insights/submit.html", context)


@login_required
@require_GET
def submit_next(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Log my insight" for a team: it goes to my next meeting of that team."""
    access = access_team(request.user, slug)
    meeting = (
        Meeting.objects.filter(
            team=access.team,
            attendances__user=request.user,
            status__in=Meeting.OPEN,
            ends_at__gt=timezone.now(),
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return render(request, "insights/no_meeting.html", {"team": access.team})
    return redirect("insights:submit", slug=slug, meeting_id=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def submit(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug)
    meeting = access_meeting(access, meeting_id)
    if not meeting.attendances.filter(user=request.user).exists():
        raise PermissionDenied("You're not on this meeting's list.")
    post_url = reverse("insights:submit", args=[slug, meeting.pk])
    # A guest from another team has no membership here (nor has an organisation admin).
    return _insight_page(
        request, meeting=meeting, author=request.user, post_url=post_url, via_link=False,
        is_member=access.membership is not None,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@never_cache
def submit_link(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The reminder's one-tap link. GET only shows the form (mail scanners open
    links too); only the POST saves. A link of a meeting that is over says so, and
    offers a link for the holder's next meeting; every other failure shows one page."""
    meeting = Meeting.objects.select_related("team").filter(pk=meeting_id).first()
    token = request.GET.get(settings.SESAME_TOKEN_NAME)
    author = links.holder(token, meeting)
    if author is None:
        context = {"meeting_id": meeting_id, "token": token or ""}
        return render(request, "insights/link_invalid.html", context, status=403)
    if not meeting.is_open:
        context = {"meeting": meeting, "holder": author,
                   "next_meeting": links.next_open_meeting(author, meeting.team)}  # fmt: skip
        return render(request, "insights/submit_closed.html", context, status=410)
    post_url = (
        reverse("insights:submit-link", args=[meeting.pk])
        + f"?{settings.SESAME_TOKEN_NAME}={token}"
    )
    is_member = meeting.team.memberships.filter(user=author).exists()
    return _insight_page(request, meeting=meeting, author=author, post_url=post_url, via_link=True,
                         is_member=is_member)  # fmt: skip


# A link by e-mail is cheap to ask for: bounded per client, and a request that only
# names an address mails it at most once per few minutes, so requests naming someone
# never add up to a flood, and never use up a budget their own request needs.
FRESH_LINKS_PER_CLIENT, FRESH_LINKS_PER_ADDRESS = "20/h", "1/5m"


def _too_many_fresh_links(request: HttpRequest, email: str) -> bool:
    per_client = is_ratelimited(
        request, group="fresh-link-client", key="ip", rate=FRESH_LINKS_PER_CLIENT, increment=True
    )
    per_address = is_ratelimited(
        request, group="fresh-link-address", key=lambda g, r: email,
        rate=FRESH_LINKS_PER_ADDRESS, increment=True,
    )  # fmt: skip
    return per_client or per_address


@require_POST
def fresh_link(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """ "Send me a fresh link": mailed only to an active attendee. For a meeting that
    is over, the link is for their next meeting of the same team, if they have one.
    The answer is the same whoever asks, so it reveals nothing, and it is never a
    false "on its way". Asked from the person's own (expired) link, it is always sent."""
    meeting_found = Meeting.objects.filter(pk=meeting_id).first()
    holder = links.own_link_holder(request.POST.get(settings.SESAME_TOKEN_NAME), meeting_found)
    email = holder.email if holder else normalize_address(request.POST.get("email"))
    limited = holder is None and _too_many_fresh_links(request, email)
    meeting = Meeting.objects.select_related("team").filter(pk=meeting_id).first()
    over = meeting is not None and not meeting.is_open
    attendance = (
        Attendance.objects.select_related("user", "meeting__team")
        .filter(meeting_id=meeting_id, user__email=email, user__is_active=True)
        .first()
    )
    if attendance is not None and not limited:
        if over:
            upcoming = links.next_open_meeting(attendance.user, meeting.team)
            attendance = upcoming.attendances.get(user=attendance.user) if upcoming else None
        if attendance is not None:
            with transaction.atomic():
                queue_fresh_link(attendance)
    return render(
        request,
        "insights/link_invalid.html",
        {"meeting_id": meeting_id, "sent": True, "over": over},
    )
