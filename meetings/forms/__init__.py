"""Meeting forms, by sub-domain. Callers import this package: `from meetings.forms import X`."""
# ruff: noqa: F401

from .agenda import AgendaItemForm, NotesForm
from .meetings import (
    NOT_IN_INSIGHTBOARD,
    AttendeeForm,
    ExcuseForm,
    MeetingForm,
    TeamPeopleField,
    team_datetime,
)
from .series import (
    COUNT_NEEDED,
    ENDS_NEEDED,
    FIRST_DATE_NEEDED,
    FREQUENCY_NEEDED,
    INTERVAL_NEEDED,
    LENGTH_NEEDED,
    NOT_A_MEMBER,
    PICK_A_WEEKDAY,
    SERIES_TITLE_NEEDED,
    STANDING_ITEM_TOO_LONG,
    START_TIME_NEEDED,
    TOO_MANY_STANDING_ITEMS,
    UNTIL_BEFORE_START,
    UNTIL_NEEDED,
    AgendaTemplateField,
    SeriesForm,
    SeriesSettingsForm,
)
from .teams import (
    BAD_EMAILS,
    BAD_OFFSET,
    DUPLICATE_OFFSET,
    MAX_INVITES,
    NO_EMAILS,
    OFFSET_RANGE,
    SLUG_TAKEN,
    TOO_MANY_EMAILS,
    TOO_MANY_OFFSETS,
    InviteForm,
    OffsetsField,
    RoleForm,
    TeamCreateForm,
    TeamSettingsForm,
    WebhookForm,
    format_offset,
)
