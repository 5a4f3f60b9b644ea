"""The word list: case- and accent-insensitive, on word boundaries, the
session language's defaults plus staff entries, recompiled on change."""

from __future__ import annotations

import pytest

from live.models import WordListEntry
from live.wordlist import default_terms, normalise, wordlist_match


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from live.wordlist import wordlist_changed

    cache.clear()
    wordlist_changed()


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_default_lists_have_between_15_and_40_terms(language):
    terms = default_terms(language)
    assert 15 <= len(terms) <= 40
    assert len(set(map(normalise, terms))) == len(terms)


def test_normalise_drops_case_and_accents():
    assert normalise("Numéro de TÉLÉPHONE") == "numero de telephone"
    assert normalise("ＳＮＡＰ") == "snap"  # full-width letters (NFKD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text", "term"),
    [
        ("en", "what's your PHONE number?", "phone number"),
        ("en", "add   me on Snapchat", "add me"),
        ("en", "let's meet-up after school", "meet up"),
        ("en", "it's on SNAPCHAT", "snapchat"),
        ("fr", "donne moi le NUMERO de telephone", "numéro de téléphone"),
        ("fr", "Ou tu habites ?", "où tu habites"),
        ("nl", "Stuur me een foto!", "stuur me een foto"),
        ("nl", "waar woon je eigenlijk", "waar woon je"),
    ],
)
def test_terms_match_whatever_the_case_accents_and_spacing(language, text, term):
    assert wordlist_match(text, language=language) == term


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "a bombastic speech"),  # "bomb" only as a word
        ("en", "Instagrammable"),
        ("fr", "une bombe"[:7] + "ardement"),  # "bombardement"
        ("nl", "de bommenwerper"),
        ("en", "Welcome everyone, let's start"),
    ],
)
def test_words_inside_other_words_do_not_match(language, text):
    assert wordlist_match(text, language=language) is None


@pytest.mark.django_db
def test_staff_entries_count_for_their_language_only_and_changes_apply_at_once():
    assert wordlist_match("meet at the old mill", language="en") is None
    entry = WordListEntry.objects.create(language="en", term="Old Mill")
    assert wordlist_match("meet at the OLD   mill", language="en") == "Old Mill"
    assert wordlist_match("meet at the old mill", language="fr") is None
    entry.is_active = False
    entry.save()
    assert wordlist_match("meet at the old mill", language="en") is None
    entry.is_active = True
    entry.save()
    assert wordlist_match("the old mill", language="en") == "Old Mill"
    entry.delete()
    assert wordlist_match("the old mill", language="en") is None


@pytest.mark.django_db
def test_matching_is_cached_between_changes(django_assert_num_queries, monkeypatch):
    from django.core.cache import cache

    wordlist_match("hello", language="nl")
    reads = []
    monkeypatch.setattr(cache, "get_or_set", lambda *a, **k: reads.append(a) or "v")
    with django_assert_num_queries(0):
        for _ in range(5):
            wordlist_match("hallo allemaal", language="nl")
    assert reads == []  # the version is read at most every few seconds


@pytest.mark.django_db
def test_another_process_sees_a_change_within_the_check_interval(monkeypatch):
    import live.wordlist as wordlist

    assert wordlist_match("the old mill", language="en") is None
    # Another process adds a term: only the shared version moves.
    from django.core.cache import cache

    WordListEntry.objects.bulk_create([WordListEntry(language="en", term="old mill")])  # no signal
    cache.set(wordlist._VERSION_KEY, "changed elsewhere")
    assert wordlist_match("the old mill", language="en") is None  # not yet
    monkeypatch.setattr(wordlist, "VERSION_CHECK_SECONDS", 0.0)
    assert wordlist_match("the old mill", language="en") == "old mill"
