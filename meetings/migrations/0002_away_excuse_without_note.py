"""Attendances an away period excused said "Away: <note>" to every attendee (the
meeting's page and summary); the note is now shown only to whom it belongs to, so
they say "Away" (accounts.models.AWAY_EXCUSE)."""

from django.db import migrations


def drop_notes(apps, schema_editor):
    Attendance = apps.get_model("meetings", "Attendance")
    Attendance.objects.filter(away__isnull=False).exclude(excuse_reason="Away").update(
        excuse_reason="Away"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_notes, migrations.RunPython.noop),
    ]
