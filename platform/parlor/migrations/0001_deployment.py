"""The deployment's identity, generated once, at the first migration."""

from django.db import migrations, models

import parlor.models


def deployment_create(apps, schema_editor):
    Deployment = apps.get_model("parlor", "Deployment")
    if not Deployment.objects.exists():
        Deployment.objects.create(key=parlor.models.deployment_key_new())


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Deployment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        default=parlor.models.deployment_key_new, max_length=32, unique=True
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(deployment_create, migrations.RunPython.noop),
    ]
