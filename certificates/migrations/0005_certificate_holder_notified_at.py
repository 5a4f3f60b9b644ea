"""When a certificate's holder was told it is ready. Certificates issued
before the mail existed count as told: a later re-render
(`certificates_rerender`) must not mail every holder of the past."""

from django.db import migrations, models
from django.db.models import F


def mark_existing_as_notified(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    Certificate.objects.filter(holder_notified_at__isnull=True).update(holder_notified_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("certificates", "0004_certificate_export_expired"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="holder_notified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="holder notified"),
        ),
        migrations.RunPython(mark_existing_as_notified, migrations.RunPython.noop),
    ]
