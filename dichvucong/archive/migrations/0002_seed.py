from django.db import migrations


def seed(apps, schema_editor):
    from dichvucong.archive.metadata import DEFAULT_FIELDS

    MetadataField = apps.get_model("archive", "MetadataField")
    RetentionPeriod = apps.get_model("archive", "RetentionPeriod")
    for order, (key, label, source) in enumerate(DEFAULT_FIELDS, 1):
        MetadataField.objects.get_or_create(key=key, defaults={"order": order, "label": label, "source": source})
    # The default period is a placeholder to check against the agency's retention schedule (verified=False).
    if not RetentionPeriod.objects.filter(procedure__isnull=True).exists():
        RetentionPeriod.objects.create(procedure=None, years=10, basis="Mặc định, cần đối chiếu bảng thời hạn bảo quản")


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
