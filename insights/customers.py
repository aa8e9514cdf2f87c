"""One customer list for the whole organisation: finding a customer by any name it
has had, renaming, merging typos away, and when each was last heard."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from .models import Customer, CustomerAlias, Insight, SeatResult

NAME_TAKEN = "“%(name)s” is already a customer: merge into it instead."
NAME_IS_ALIAS = "“%(name)s” is a former name of “%(other)s”: merge into it instead."
MERGE_ITSELF = "Choose another customer to merge into."
MERGE_UNKNOWN = "No customer is called “%(name)s”."


def find_or_create_customer(name: str, *, segment: str = "") -> Customer:
    """The customer called `name` (or once called it), or a new one. Two people typing
    the same new name at once both end up with the one row (the unique constraint
    decides). A segment fills an empty one but never overwrites another team's."""
    customer = Customer.objects.named(name)
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(name=name, segment=segment)
        except IntegrityError:
            customer = Customer.objects.named(name)
    if segment and not customer.segment:
        customer.segment = segment
        customer.save(update_fields=["segment"])
    return customer


def _check_name_free(name: str, customer: Customer) -> None:
    other = Customer.objects.exclude(pk=customer.pk).filter(name__iexact=name).first()
    if other is not None:
        raise ValidationError({"name": ValidationError(NAME_TAKEN, params={"name": other.name})})
    alias = (
        CustomerAlias.objects.exclude(customer=customer)
        .filter(name__iexact=name)
        .select_related("customer")
        .first()
    )
    if alias is not None:
        raise ValidationError(
            {"name": ValidationError(NAME_IS_ALIAS, params={"name": alias.name,
                                                            "other": alias.customer.name})}
        )  # fmt: skip


@transaction.atomic
def update_customer(*, customer: Customer, name: str, segment: str, tier: str) -> Customer:
    """Rename a customer (its old name stays as an alias, so typing it finds them),
    or change its segment and tier, for every team at once."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    old_name = customer.name
    if name.lower() != old_name.lower():
        _check_name_free(name, customer)
        customer.aliases.filter(name__iexact=name).delete()
        CustomerAlias.objects.get_or_create(customer=customer, name=old_name)
    customer.name, customer.segment, customer.tier = name, segment, tier
    try:
        with transaction.atomic():
            customer.save(update_fields=["name", "segment", "tier"])
    except IntegrityError:  # someone took the name in the meantime
        raise ValidationError(
            {"name": ValidationError(NAME_TAKEN, params={"name": name})}
        ) from None
    return customer


@transaction.atomic
def merge_customers(*, source: Customer, into: Customer) -> Customer:
    """Fold a duplicate (a typo, a second spelling) into the customer it should have
    been: its insights and results move over, its names become aliases, it is gone
    from everyone's suggestions."""
    if source.pk == into.pk:
        raise ValidationError({"into": ValidationError(MERGE_ITSELF)})
    # Both rows locked, in one order, so two crossing merges can't deadlock.
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=[source.pk, into.pk])
        .order_by("pk")
    }  # fmt: skip
    source, into = locked[source.pk], locked[into.pk]
    Insight.objects.filter(customer=source).update(customer=into)
    SeatResult.objects.filter(customer=source).update(customer=into)
    source.aliases.update(customer=into)
    into.segment = into.segment or source.segment
    if source.is_key:
        into.tier = Customer.Tier.KEY
    into.save(update_fields=["segment", "tier"])
    name, former_id = source.name, source.pk
    source.delete()
    CustomerAlias.objects.create(customer=into, name=name, former_id=former_id)
    refresh_last_heard([into.pk])
    into.refresh_from_db(fields=["last_heard_on"])
    return into


def refresh_last_heard(customer_ids: Iterable[int]) -> None:
    """Recompute when each customer was last heard from their insights, one UPDATE:
    called when an insight is saved (its date or its customer may have changed)."""
    latest = Subquery(
        Insight.objects.filter(customer=OuterRef("pk"))
        .order_by("-conversation_date")
        .values("conversation_date")[:1]
    )
    Customer.objects.filter(pk__in=list(customer_ids)).update(last_heard_on=latest)
