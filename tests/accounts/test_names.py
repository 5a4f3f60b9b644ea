"""accounts.names: what a given or family name may hold, and how the names
typed in one field before are split in two (migration 0002)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.names import name_parts_split, person_name_normalise, validate_person_name


@pytest.mark.parametrize(
    "name",
    ["Marie", "Zoë Ørsted-Müller", "O'Connor", "van den Berg", "Yılmaz", "Mehr\u200cnaz", "李小龙", "José María"],
)
def test_names_people_have_are_accepted(name):
    validate_person_name(name)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Ma\nrie", "control_character"),
        ("Ma\trie", "control_character"),
        ("Ma\x00rie", "control_character"),
        ("Ma\x7frie", "control_character"),
        ("Marie\u202e", "control_character"),  # right-to-left override
        ("Ma\u200brie", "control_character"),  # zero-width space
        ("marie@example.org", "email"),
    ],
)
def test_control_characters_and_addresses_are_refused(name, code):
    with pytest.raises(ValidationError) as error:
        validate_person_name(name)
    assert error.value.code == code


def test_normalise_tidies_spaces_and_composes():
    assert person_name_normalise("  Zoe\u0308  van\u00a0der   Berg ") == "Zoë van der Berg"


@pytest.mark.parametrize(
    ("full_name", "parts"),
    [("Noor van den Berg", ("Noor", "van den Berg")), ("Madonna", ("Madonna", "")), ("  ", ("", ""))],
)
def test_one_field_names_split_at_the_first_space(full_name, parts):
    assert name_parts_split(full_name) == parts


@pytest.mark.django_db
def test_migration_splits_the_one_field_names():
    def old(email, full_name):
        user = User.objects.create_user(email=email)
        User.objects.filter(pk=user.pk).update(full_name=full_name, first_name="", last_name="")
        return user.pk

    split = old("noor@example.org", "Noor  van den Berg")
    single = old("madonna@example.org", "Madonna")
    nameless = old("ux.learner@example.org", "")
    too_long = old("long@example.org", "A" * 90 + " Berg")
    migration = importlib.import_module("accounts.migrations.0002_user_given_and_family_name")
    migration.split_full_names(apps, None)
    names = dict((pk, (first, last)) for pk, first, last in User.objects.values_list("pk", "first_name", "last_name"))
    assert names[split] == ("Noor", "van den Berg")
    assert names[single] == ("Madonna", "")
    assert names[nameless] == ("", "")
    assert names[too_long] == ("", "")  # keeps printing its one-field name
    assert User.objects.get(pk=too_long).get_name() == "A" * 90 + " Berg"
