import unicodedata

from django.db import migrations


def _printable(text: str) -> str:
    return " ".join("".join(ch for ch in text if unicodedata.category(ch)[0] != "C").split())


def _short_name(user) -> str:
    """live.joining.account_display_name as of this migration: "Marie D."."""
    given, family = user.first_name.strip(), user.last_name.strip()
    if not (given or family):
        given, _space, family = " ".join(user.full_name.split()).partition(" ")
    given, family = _printable(given), _printable(family)
    if not given or "@" in given or "@" in family:
        return "Participant"
    initial = next((ch for ch in family if ch.isalpha()), family[:1])
    return f"{given[:37].rstrip()} {initial.upper()[:1]}." if initial else given[:40]


def names_without_email(apps, schema_editor):
    """Participants who joined with an account that had no name were shown
    with the account's email address: show "Marie D." (or "Participant")
    instead, as live.joining does from now on."""
    Participant = apps.get_model("live", "Participant")
    changed = []
    for participant in Participant.objects.filter(display_name__contains="@").select_related("user"):
        participant.display_name = _short_name(participant.user) if participant.user is not None else "Participant"
        changed.append(participant)
    Participant.objects.bulk_update(changed, ["display_name"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_user_given_and_family_name'),
        ('live', '0004_connection'),
    ]

    operations = [
        migrations.RunPython(names_without_email, migrations.RunPython.noop, elidable=True),
    ]
