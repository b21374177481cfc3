"""Install the SMS templates of the code that proves account ownership before linking an identity."""

from django.db import migrations


def install(apps, schema_editor):
    from dichvucong.notifications.defaults import IDENTITY_LINK_TEMPLATES, templates_install

    templates_install(apps.get_model("notifications", "NotificationTemplate"), defaults=IDENTITY_LINK_TEMPLATES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_oidc_assurance_level_identity_link_otp"),
        ("notifications", "0005_officer_deadline_templates"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
