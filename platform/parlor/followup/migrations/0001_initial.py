from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="FollowupSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("singleton", models.BooleanField(default=True, unique=True)),
                ("delay_minutes", models.PositiveIntegerField(default=10)),
                ("ask_email", models.BooleanField(default=True)),
                ("prechat_enabled", models.BooleanField(default=False)),
                ("prechat_fields", models.JSONField(blank=True, default=list)),
                ("conversations_seen_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="Contact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("visitor_id", models.CharField(max_length=64, unique=True)),
                ("room_id", models.CharField(max_length=64)),
                ("email", models.EmailField(blank=True, default="", max_length=254)),
                ("name", models.CharField(blank=True, default="", max_length=200)),
                ("page_url", models.URLField(blank=True, default="", max_length=2000)),
                ("emailed_seq", models.BigIntegerField(default=0)),
                ("unsubscribed_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="AgentPreference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("user_id", models.BigIntegerField(unique=True)),
                ("new_conversation_email", models.BooleanField(default=False)),
            ],
        ),
    ]
