"""The library lists insights by the date each card shows, the conversation's
(insights/search.py NEWEST): its two recency indexes follow."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0010_alias_former_id'),
        ('meetings', '0002_away_excuse_without_note'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='insight',
            name='insight_team_newest',
        ),
        migrations.RemoveIndex(
            model_name='insight',
            name='insight_newest',
        ),
        migrations.AddIndex(
            model_name='insight',
            index=models.Index(fields=['team', '-conversation_date', '-submitted_at'], name='insight_team_heard'),
        ),
        migrations.AddIndex(
            model_name='insight',
            index=models.Index(fields=['-conversation_date', '-submitted_at'], name='insight_heard'),
        ),
    ]
