from django.db import migrations, models


def merge_same_names(apps, schema_editor):
    """Customers were per team: the same company heard by two teams becomes one
    customer (the oldest row), with every insight and result pointing at it."""
    Customer = apps.get_model("insights", "Customer")
    Insight = apps.get_model("insights", "Insight")
    SeatResult = apps.get_model("insights", "SeatResult")
    groups = {}
    for customer in Customer.objects.order_by("created_at", "pk"):
        groups.setdefault(customer.name.lower(), []).append(customer)
    for keep, *others in groups.values():
        if not others:
            continue
        ids = [c.pk for c in others]
        Insight.objects.filter(customer_id__in=ids).update(customer=keep)
        SeatResult.objects.filter(customer_id__in=ids).update(customer=keep)
        keep.segment = keep.segment or next((c.segment for c in others if c.segment), "")
        if any(c.tier == "key" for c in others):
            keep.tier = "key"
        keep.save(update_fields=["segment", "tier"])
        Customer.objects.filter(pk__in=ids).delete()


def fill_last_heard(apps, schema_editor):
    Customer = apps.get_model("insights", "Customer")
    Insight = apps.get_model("insights", "Insight")
    latest = models.Subquery(
        Insight.objects.filter(customer=models.OuterRef("pk"))
        .order_by("-conversation_date")
        .values("conversation_date")[:1]
    )
    Customer.objects.update(last_heard_on=latest)


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0005_customers_across_teams'),
    ]

    operations = [
        migrations.RunPython(merge_same_names, migrations.RunPython.noop),
        migrations.RunPython(fill_last_heard, migrations.RunPython.noop),
    ]
