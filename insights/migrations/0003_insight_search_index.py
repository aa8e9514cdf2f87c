"""A GIN index for the library's full-text search, on PostgreSQL only (SQLite has
no GIN; its fallback search needs no index). The expression must match
insights.search.search_vector() exactly for PostgreSQL to use the index."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = "insight_fulltext_gin"


def index(apps):
    return GinIndex(SearchVector("said", "so_what", "contact", config="english"), name=INDEX)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("insights", "Insight"), index(apps))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("insights", "Insight"), index(apps))


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_initial")]

    operations = [migrations.RunPython(create, drop)]
