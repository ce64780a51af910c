"""Grievance notifications stored the kind's Vietnamese label; store its code instead so the
list shows it in the reader's language (kinds.choice)."""

from django.db import migrations

# The labels as they were written (grievances.models.Grievance.Kind, Vietnamese).
_CODES = {"Hộ bị bỏ sót": "left_out", "Máy bị lỗi, hỏng": "defective_phone",
          "Cấp sai đối tượng": "wrong_recipient", "Khác": "other"}


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for n in Notification.objects.filter(kind__startswith="grievance_").only("pk", "params"):
        kind = n.params.get("kind")
        if isinstance(kind, str) and kind in _CODES:
            n.params["kind"] = {"choice": "grievances.Grievance.kind", "value": _CODES[kind]}
            n.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notifications")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
