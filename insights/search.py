"""Full-text search over insights: PostgreSQL's text search with a GIN index
(created in migration 0004, on exactly this expression), a word-by-word
icontains fallback on SQLite."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from .models import Customer

CONFIG = "english"


def search_vector() -> SearchVector:
    # Must stay identical to the indexed expression (insights/migrations/0003_*).
    return SearchVector("said", "so_what", "contact", config=CONFIG)


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def search(insights: QuerySet, text: str) -> QuerySet:
    text = text.strip()
    if not text:
        return insights
    if uses_full_text():
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        # The match operator (@@) filters, and can use the GIN index; the rank only
        # orders (a rank above zero is no match: "-word" and phrases still score).
        # Customers are looked up first: an OR across a join would rule the index out.
        customers = list(Customer.objects.filter(name__icontains=text).values_list("pk", flat=True))
        return (
            insights.annotate(document=search_vector(), rank=SearchRank(search_vector(), query))
            .filter(Q(document=query) | Q(customer_id__in=customers))
            .order_by("-rank", "-submitted_at")
        )
    for word in text.split():
        insights = insights.filter(
            Q(said__icontains=word)
            | Q(so_what__icontains=word)
            | Q(contact__icontains=word)
            | Q(customer__name__icontains=word)
        )
    return insights
