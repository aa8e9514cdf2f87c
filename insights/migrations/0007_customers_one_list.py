import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0006_merge_customers'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='customer',
            name='team',
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['tier', 'last_heard_on'], name='customer_tier_last_heard'),
        ),
        migrations.AddConstraint(
            model_name='customer',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='customer_name_ci_unique'),
        ),
    ]
