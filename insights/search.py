"""Full-text search over insights: on PostgreSQL, the stored document (kept by a
trigger, migration 0009) matched through its GIN index and ranked; on SQLite, a
word-by-word icontains fallback."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

from .models import Customer, Insight

CONFIG = "english"
# A search ranks its newest matches, not all of them: a common word can match a
# fifth of the library, and ranking 30,000 rows costs a hundred times a page. The
# best of the newest RANKED come first; older ones need a narrower search or dates.
RANKED = 200
# The library's order, and what "newest" means in it: when the customer said it (the
# date each card shows, and the one its date filters use), then when it was brought.
NEWEST = ("-conversation_date", "-submitted_at")


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
        customers = list(
            Customer.objects.filter(
                Q(name__icontains=text) | Q(aliases__name__iexact=text)
            ).values_list("pk", flat=True)
        )
        newest = (
            insights.filter(Q(document=query) | Q(customer_id__in=customers))
            .order_by(*NEWEST)
            .values("pk")[:RANKED]
        )
        return (
            Insight.objects.filter(pk__in=newest)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", *NEWEST)
        )
    for word in text.split():
        insights = insights.filter(
            Q(said__icontains=word)
            | Q(so_what__icontains=word)
            | Q(contact__icontains=word)
            | Q(customer__name__icontains=word)
        )
    return insights
