"""The French and Dutch message catalogues (locale/<lang>/LC_MESSAGES/django.po).

* every entry is translated and none is fuzzy;
* every translation keeps the placeholders of its msgid (%(name)s, %s, {name});
* translations are not English copies (an explicit allow-list names the few
  words that are the same in both languages);
* the catalogues are up to date with the code: Django's makemessages, run into
  a temporary directory, extracts no msgid that the French or Dutch catalogue
  lacks (needs GNU gettext, Debian package `gettext`, which `make test`
  installs);
* the login page, rendered in French and Dutch, shows none of our templates'
  English strings.

After changing strings: `make makemessages`, translate the new entries in
locale/fr and locale/nl, and rerun this module.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
TRANSLATED_LANGUAGES = ["fr", "nl"]

# Entries whose translation is, by nature, the same word as the English: proper
# nouns, file names, technical terms and words both languages share. Keep it
# small: anything else equal to its msgid counts as an English copy.
SAME_IN_TRANSLATION = {
    "fr": {
        "Contact", "Description", "description", "Document", "France", "h5p.json", "Image",
        "module", "modules", "Modules", "Page", "page", "Pagination", "Permissions",
        "Police", "Question", "Questions", "Quiz", "slug", "Type", "logo",
        "(%(minutes)s minute)", "%(minutes)s minute",
    },
    "nl": {
        "Account", "Contact", "Document", "Feedback", "h5p.json", "logo", "module", "modules",
        "Modules", "Online", "partner", "Quiz", "slug", "Trainer", "trainer", "Trainers",
        "Type", "Website", "website",
    },
}
MAX_ENGLISH_COPIES = 0.10

# %(name)s with optional flags/width/precision, positional %s/%d…, the literal %%.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:[.\[][^{}]*)?(?:![rsa])?(?::[^{}]*)?\}")


def _catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def _entries(lang: str) -> list[polib.POEntry]:
    return [entry for entry in _catalogue(lang) if not entry.obsolete]


def _label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
    return f"{entry.msgid!r}{context} [{where}]"


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: msgstr[0] follows msgid, the other plural
    forms follow msgid_plural."""
    if entry.msgid_plural:
        return [
            (entry.msgid if index == 0 else entry.msgid_plural, text)
            for index, text in sorted(entry.msgstr_plural.items())
        ]
    return [(entry.msgid, entry.msgstr)]


def placeholders(text: str) -> tuple[list[str], set[str]]:
    """Positional placeholders (order matters) and named ones (order free)."""
    percent = PERCENT_PLACEHOLDER.findall(text)
    positional = [token for token in percent if not token.startswith("%(") and token != "%%"]
    named = {token for token in percent if token.startswith("%(") or token == "%%"}
    named |= set(BRACE_PLACEHOLDER.findall(text))
    return positional, named


# --- Completeness ------------------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_header_declares_language_charset_and_plural_forms(lang):
    catalogue = _catalogue(lang)
    plural_forms = {"fr": "nplurals=2; plural=(n > 1);", "nl": "nplurals=2; plural=(n != 1);"}
    assert catalogue.metadata.get("Language") == lang
    assert "charset=UTF-8" in catalogue.metadata.get("Content-Type", "")
    assert catalogue.metadata.get("Plural-Forms") == plural_forms[lang]
    assert not catalogue.metadata_is_fuzzy, "remove '#, fuzzy' from the header"


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(lang):
    untranslated = [
        _label(entry) for entry in _entries(lang)
        if not all(text.strip() for _, text in _translations(entry))
    ]
    fuzzy = [_label(entry) for entry in _entries(lang) if "fuzzy" in entry.flags]
    assert not untranslated, f"{len(untranslated)} untranslated in locale/{lang}:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{len(fuzzy)} fuzzy in locale/{lang} (check, then remove the flag):\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_plural_entries_have_every_form(lang):
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", _catalogue(lang).metadata["Plural-Forms"]).group(1))
    wrong = [_label(entry) for entry in _entries(lang) if entry.msgid_plural and sorted(entry.msgstr_plural) != list(range(nplurals))]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    problems = []
    for entry in _entries(lang):
        for source, text in _translations(entry):
            if not text:
                continue
            expected, got = placeholders(source), placeholders(text)
            if expected != got:
                problems.append(f"{_label(entry)}: expects {sorted(expected[1]) + expected[0]}, has {sorted(got[1]) + got[0]}: {text!r}")
    assert not problems, f"placeholders differ in locale/{lang}:\n" + "\n".join(problems)


def test_placeholder_parser():
    assert placeholders("%(name)s: %(key)s must be a list of {path}.") == ([], {"%(name)s", "%(key)s", "{path}"})
    assert placeholders("Pass mark: %(mark)s%%.") == ([], {"%(mark)s", "%%"})
    assert placeholders("%s of %d") == (["%s", "%d"], set())
    assert placeholders("Pass mark (%)") == ([], set())
    assert placeholders("a list of {machineName, majorVersion}") == ([], set())


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_translations_are_not_english_copies(lang):
    entries = _entries(lang)
    copies = [
        _label(entry) for entry in entries
        if entry.msgid not in SAME_IN_TRANSLATION[lang]
        and any(text == source for source, text in _translations(entry))
    ]
    share = len(copies) / len(entries)
    assert share < MAX_ENGLISH_COPIES, (
        f"{len(copies)} of {len(entries)} entries in locale/{lang} are the English text:\n" + "\n".join(copies)
    )


def test_english_catalogue_is_the_source():
    """English is the source language: its msgstr stay empty so the msgid shows."""
    translated = [_label(entry) for entry in _entries("en") if any(text for _, text in _translations(entry))]
    assert not translated, "\n".join(translated)


# --- Up to date with the code (needs GNU gettext) ------------------------------

SOURCE_SUFFIXES = {".py", ".html", ".txt"}
# As `make makemessages` ignores them.
IGNORED_TOP_LEVEL = {".venv", "node_modules", "var", "tests", "bench", "locale", ".git", "test-artifacts", ".stamps"}


def _tree_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in {".po", ".pot"}):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _copy_sources(destination: Path) -> None:
    """The project's .py/.html/.txt files, minus what `make makemessages`
    ignores, so that makemessages run in `destination` cannot reach the repo."""
    def ignore(directory, names):
        return [
            name for name in names
            if (Path(directory) / name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES
            or name == "__pycache__"
        ]

    destination.mkdir()
    for child in ROOT.iterdir():
        if child.name in IGNORED_TOP_LEVEL or child.name.startswith("."):
            continue
        if child.is_dir():
            shutil.copytree(child, destination / child.name, ignore=ignore, symlinks=True)
        elif child.suffix in SOURCE_SUFFIXES:
            shutil.copy2(child, destination / child.name)


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_catalogues_are_up_to_date_with_the_code__needs_gettext(lang, tmp_path, monkeypatch, settings):
    """NEEDS GNU gettext (xgettext, msguniq, msgattrib; Debian package
    `gettext`, installed by `make test`).

    Runs Django's makemessages on a copy of the sources in tmp_path (never on
    the repo: makemessages writes next to the nearest LOCALE_PATHS entry, and
    the copy has its own empty locale/), then checks that every msgid it
    extracts is present and translated in the repo's catalogue."""
    from django.core.management import call_command

    missing_tools = [tool for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib") if shutil.which(tool) is None]
    if missing_tools:
        pytest.fail(
            f"GNU gettext is missing ({', '.join(missing_tools)}): install the Debian package `gettext` "
            "(`make test` does) to check that the catalogues match the code."
        )

    source = tmp_path / "src"
    _copy_sources(source)
    (source / "locale").mkdir()
    repo_digest = _tree_digest(LOCALE)

    monkeypatch.chdir(source)
    settings.LOCALE_PATHS = [source / "locale"]
    call_command(
        "makemessages",
        locale=[lang],
        ignore_patterns=[".venv/*", "node_modules/*", "var/*", "tests/*", "bench/*"],
        no_obsolete=True,
        verbosity=0,
    )

    assert _tree_digest(LOCALE) == repo_digest, "makemessages must not touch the repo's locale/"
    extracted = polib.pofile(str(source / "locale" / lang / "LC_MESSAGES" / "django.po"))
    assert len(extracted) > 0, "makemessages extracted nothing: is the source copy complete?"

    repo = {(entry.msgctxt, entry.msgid, entry.msgid_plural): entry for entry in _entries(lang)}
    missing, untranslated = [], []
    for entry in extracted:
        if entry.obsolete:
            continue
        known = repo.get((entry.msgctxt, entry.msgid, entry.msgid_plural))
        if known is None:
            missing.append(_label(entry))
        elif not all(text.strip() for _, text in _translations(known)) or "fuzzy" in known.flags:
            untranslated.append(_label(known))
    assert not missing and not untranslated, (
        f"locale/{lang} is behind the code. Run `make makemessages`, then translate:\n"
        + "".join(f"  new: {label}\n" for label in missing)
        + "".join(f"  untranslated: {label}\n" for label in untranslated)
    )


# --- Rendered pages ------------------------------------------------------------


class _VisibleText(HTMLParser):
    """Text nodes and the attributes people read or hear."""

    ATTRIBUTES = {"aria-label", "placeholder", "title", "alt", "value", "content"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value and not (tag == "input" and name == "value" and ("type", "hidden") in attrs):
                self.texts.append(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def _template_strings(lang: str) -> set[str]:
    """English msgids from our own templates whose translation differs."""
    strings = set()
    for entry in _entries(lang):
        if not any(path.endswith((".html", ".txt")) for path, _ in entry.occurrences):
            continue
        for source, text in _translations(entry):
            if text and text != source and "%(" not in source:
                strings.add(html.unescape(source))
    return strings


@pytest.fixture
def fresh_translations():
    """Compile the .po files (as a fresh clone needs) and make Django reload them."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import compile_messages
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    compile_messages.main()

    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None
    yield
    trans_real._translations = {}
    trans_real._default = None


EXPECTED_ON_LOGIN_PAGE = {
    "fr": ["Aller au contenu principal", "Rechercher", "Menu principal", "S’inscrire"],
    "nl": ["Naar de hoofdinhoud", "Zoeken", "Hoofdmenu", "Registreren"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_login_page_shows_no_english_from_our_templates(client, lang, fresh_translations):
    response = client.get(f"/{lang}/accounts/login/")
    assert response.status_code == 200
    parser = _VisibleText()
    parser.feed(response.content.decode())
    texts = set(parser.texts)

    for expected in EXPECTED_ON_LOGIN_PAGE[lang]:
        assert expected in texts, f"{expected!r} not on /{lang}/accounts/login/"
    english = sorted(texts & _template_strings(lang))
    assert not english, f"English from our templates on /{lang}/accounts/login/: {english}"
