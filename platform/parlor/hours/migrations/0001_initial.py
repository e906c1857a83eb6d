from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="BusinessHours",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("singleton", models.BooleanField(default=True, unique=True)),
                ("enabled", models.BooleanField(default=False)),
                ("timezone", models.CharField(default="UTC", max_length=64)),
                ("weekly", models.JSONField(blank=True, default=list)),
                ("holidays", models.JSONField(blank=True, default=list)),
                ("reply_time", models.CharField(blank=True, default="", max_length=64)),
                ("offline_form", models.BooleanField(default=False)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
    ]
