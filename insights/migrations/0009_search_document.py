"""The library's full-text document as a column PostgreSQL keeps up to date with a
trigger (its built-in tsvector_update_trigger), and the GIN index on it in place of
the expression index of 0003: a search then ranks stored documents instead of
parsing every matching row again. SQLite keeps the column empty (no trigger, no GIN):
its search is word by word."""

import django.contrib.postgres.search
from django.db import migrations, models

GIN = "insight_document_gin"
OLD_GIN = "insight_fulltext_gin"  # 0003's expression index

FORWARD = f"""
CREATE TRIGGER insight_document BEFORE INSERT OR UPDATE OF said, so_what, contact
ON insights_insight FOR EACH ROW
EXECUTE FUNCTION tsvector_update_trigger(document, 'pg_catalog.english', said, so_what, contact);
UPDATE insights_insight SET document =
    to_tsvector('pg_catalog.english', coalesce(said, '') || ' ' || coalesce(so_what, '')
                || ' ' || coalesce(contact, ''));
DROP INDEX IF EXISTS {OLD_GIN};
CREATE INDEX {GIN} ON insights_insight USING gin (document);
ANALYZE insights_insight;
"""
BACKWARD = f"""
DROP TRIGGER IF EXISTS insight_document ON insights_insight;
DROP INDEX IF EXISTS {GIN};
CREATE INDEX {OLD_GIN} ON insights_insight USING gin (to_tsvector('english'::regconfig,
    COALESCE(said, '') || ' ' || COALESCE(so_what, '') || ' ' || COALESCE(contact, '')));
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0008_seat_customer_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='insight',
            name='document',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='insight',
            index=models.Index(fields=['-submitted_at'], name='insight_newest'),
        ),
        migrations.RunPython(forward, backward),
    ]
