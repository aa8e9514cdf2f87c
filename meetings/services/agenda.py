"""A meeting's agenda: the insight round first, always, then the items."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from accounts.models import User

from ..models import (
    AGENDA_TITLE_MAX_LENGTH,
    MAX_STANDING_ITEMS,
    AgendaItem,
    Attendance,
    Meeting,
)

ROUND_TITLE = "Fresh customer insights"
ROUND_STAYS_FIRST = "The insight round always opens the meeting."


def standing_items(meeting: Meeting, template: list[dict], *, after: int) -> list[AgendaItem]:
    """A series' standing agenda as one meeting's items, placed after position `after`.
    A template saved before the forms bounded it is cut to the bound here, where every
    meeting's copy is made."""
    return [
        AgendaItem(
            meeting=meeting,
            position=after + offset,
            title=str(entry.get("title", ""))[:AGENDA_TITLE_MAX_LENGTH] or "Item",
            minutes=int(entry.get("minutes") or 5),
        )
        for offset, entry in enumerate(template[:MAX_STANDING_ITEMS], start=1)
    ]


def create_agenda(meeting: Meeting, attendee_count: int, template: list[dict]) -> None:
    round_ = AgendaItem(
        meeting=meeting,
        kind=AgendaItem.Kind.ROUND,
        position=0,
        title=ROUND_TITLE,
        minutes=meeting.team.round_minutes(attendee_count),
    )
    AgendaItem.objects.bulk_create([round_, *standing_items(meeting, template, after=0)])


def resize_round(meeting: Meeting) -> None:
    """The round's time follows the number of people expected to present."""
    count = meeting.attendances.exclude(status=Attendance.Status.EXCUSED).count()
    meeting.agenda_items.filter(kind=AgendaItem.Kind.ROUND).update(
        minutes=meeting.team.round_minutes(count)
    )


@transaction.atomic
def add_agenda_item(*, meeting: Meeting, title: str, minutes: int, owner: User | None = None,
                    notes: str = "") -> AgendaItem:  # fmt: skip
    meeting.guard_editable()
    last = meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0
    return AgendaItem.objects.create(
        meeting=meeting, position=last + 1, title=title, minutes=minutes, owner=owner, notes=notes
    )


def update_agenda_item(*, item: AgendaItem, data: dict) -> AgendaItem:
    item.meeting.guard_editable()
    for field in ("title", "minutes", "owner", "notes"):
        if field in data and not (item.is_round and field == "title"):
            setattr(item, field, data[field])
    item.save()
    return item


@transaction.atomic
def move_agenda_item(*, item: AgendaItem, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1); the round never moves."""
    item.meeting.guard_editable()
    if item.is_round:
        raise ValidationError(ROUND_STAYS_FIRST, code="round_first")
    items = list(item.meeting.agenda_items.select_for_update().order_by("position"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + direction
    if target < 1 or target >= len(items):  # position 0 is the round's
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.position = position
    AgendaItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def remove_agenda_item(*, item: AgendaItem) -> None:
    item.meeting.guard_editable()
    if item.is_round:
        raise ValidationError(ROUND_STAYS_FIRST, code="round_first")
    meeting = item.meeting
    item.delete()
    meeting.agenda_items.filter(position__gt=item.position).update(position=F("position") - 1)


def save_agenda_notes(*, item: AgendaItem, notes: str) -> AgendaItem:
    """Notes are taken while the meeting runs, and until it ends."""
    item.meeting.guard_editable()
    item.notes = notes
    item.save(update_fields=["notes"])
    return item


def renumber(meeting: Meeting) -> None:
    items = list(meeting.agenda_items.order_by("position", "pk"))
    for position, item in enumerate(items):
        item.position = position
    AgendaItem.objects.bulk_update(items, ["position"])
