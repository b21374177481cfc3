"""Install the system administrators' integrity alert templates (only rows not edited since)."""

from django.db import migrations


def install(apps, schema_editor):
    from dichvucong.integrity.notifications import ALERT_TEMPLATES
    from dichvucong.notifications.defaults import templates_install

    templates_install(apps.get_model("notifications", "NotificationTemplate"), defaults=ALERT_TEMPLATES)


class Migration(migrations.Migration):
    dependencies = [
        ("integrity", "0001_initial"),
        ("notifications", "0005_officer_deadline_templates"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
