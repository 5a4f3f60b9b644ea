"""Demo content of the public site, in English, French and Dutch.

`seed_cms` builds the page tree, the resource library and the footer in
English, then makes the French and Dutch versions through wagtail-localize
(TranslationSource → Translation → StringTranslation → save_target), the same
records the admin's "Translate" action creates. Editors therefore find the demo
translations in wagtail-localize's editor, fully translated, and see them go
out of date when the English page changes.

Idempotent: everything is looked up before it is created; an existing page,
document, footer or translation is left exactly as it is.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site
from wagtail.rich_text import RichText

from cms.models import (
    Audience,
    FooterText,
    HomePage,
    HomePageFeaturedPage,
    NewsIndexPage,
    NewsPage,
    PartnerIndexPage,
    PartnerPage,
    Resource,
    ResourceLibraryPage,
    StandardPage,
)
from demo.translating import TARGET_LANGUAGES, ensure_child, ensure_translation
from partners.models import Country, Partner

LANGUAGES = ("en", "fr", "nl")


# English source text → (French, Dutch). Rich-text strings are the inner HTML
# of one paragraph, exactly as wagtail-localize segments them.
TRANSLATIONS: dict[str, tuple[str, str]] = {
    # Home
    "Bridgeline": ("Bridgeline", "Bridgeline"),
    "home": ("accueil", "start"),
    "Preventing violent radicalisation, together": (
        "Prévenir ensemble la radicalisation violente",
        "Samen gewelddadige radicalisering voorkomen",
    ),
    "Bridgeline trains teachers, youth workers, police and social workers in England, France, Belgium and the "
    "Netherlands to recognise radicalisation early and to respond with confidence.": (
        "Bridgeline forme les enseignants, les animateurs jeunesse, les policiers et les travailleurs sociaux en "
        "Angleterre, en France, en Belgique et aux Pays-Bas à repérer tôt les signes de radicalisation et à y "
        "répondre avec assurance.",
        "Bridgeline leidt leerkrachten, jongerenwerkers, politiemensen en maatschappelijk werkers in Engeland, "
        "Frankrijk, België en Nederland op om radicalisering vroeg te herkennen en er met vertrouwen op te "
        "reageren.",
    ),
    "How the programme works": ("Comment fonctionne le programme", "Zo werkt het programma"),
    "Every course combines online lessons at your own pace with face-to-face sessions led by trained "
    "facilitators from our partner organisations.": (
        "Chaque formation associe des leçons en ligne, à suivre à votre rythme, à des séances en présentiel "
        "animées par des formateurs de nos organisations partenaires.",
        "Elke opleiding combineert online lessen in je eigen tempo met bijeenkomsten ter plaatse, begeleid "
        "door opgeleide trainers van onze partnerorganisaties.",
    ),
    "The training gave me words for conversations I used to avoid.": (
        "La formation m’a donné les mots pour des conversations que j’évitais.",
        "De opleiding gaf me woorden voor gesprekken die ik vroeger uit de weg ging.",
    ),
    "Youth worker, Antwerp": ("Animateur jeunesse, Anvers", "Jongerenwerker, Antwerpen"),
    # About
    "About the programme": ("À propos du programme", "Over het programma"),
    "about": ("a-propos", "over-ons"),
    "Bridgeline is a cross-border programme for professionals who work with young people.": (
        "Bridgeline est un programme transfrontalier destiné aux professionnels qui travaillent avec des "
        "jeunes.",
        "Bridgeline is een grensoverschrijdend programma voor professionals die met jongeren werken.",
    ),
    "Why early prevention matters": ("Pourquoi la prévention précoce compte", "Waarom vroege preventie telt"),
    "First-line workers are often the first to notice that a young person is being drawn towards extremist "
    "ideas. Acting early, with care and without stigma, keeps the door open for dialogue.": (
        "Les professionnels de première ligne sont souvent les premiers à remarquer qu’un jeune se laisse "
        "attirer par des idées extrémistes. Agir tôt, avec bienveillance et sans stigmatiser, garde la porte "
        "ouverte au dialogue.",
        "Eerstelijnswerkers merken vaak als eersten dat een jongere zich aangetrokken voelt tot extremistische "
        "ideeën. Vroeg en zorgzaam optreden, zonder te stigmatiseren, houdt de deur open voor dialoog.",
    ),
    "Who we train": ("Qui nous formons", "Wie we opleiden"),
    "Teachers, youth workers, police officers, social and welfare workers, prison staff and community "
    "organisations take part in the same blended courses, in their own language.": (
        "Enseignants, animateurs jeunesse, policiers, travailleurs sociaux, personnels pénitentiaires et "
        "associations de quartier suivent les mêmes formations hybrides, dans leur propre langue.",
        "Leerkrachten, jongerenwerkers, politiemensen, maatschappelijk werkers, gevangenispersoneel en "
        "buurtorganisaties volgen dezelfde gemengde opleidingen, in hun eigen taal.",
    ),
    # News
    "News and events": ("Actualités et événements", "Nieuws en evenementen"),
    "news-and-events": ("actualites-et-evenements", "nieuws-en-evenementen"),
    "What is happening across the partnership.": (
        "Ce qui se passe au sein du partenariat.",
        "Wat er gebeurt binnen het partnerschap.",
    ),
    "Partners meet in Lille to launch Bridgeline": (
        "Les partenaires se réunissent à Lille pour lancer Bridgeline",
        "Partners komen samen in Rijsel om Bridgeline te starten",
    ),
    "partners-meet-in-lille": ("les-partenaires-se-reunissent-a-lille", "partners-komen-samen-in-rijsel"),
    "Trainers from four countries agreed the first course programme.": (
        "Des formateurs de quatre pays ont arrêté le premier programme de formation.",
        "Trainers uit vier landen legden het eerste opleidingsprogramma vast.",
    ),
    "Over two days, the partners compared how each country organises prevention work and chose the cases "
    "that the first courses will use.": (
        "Pendant deux jours, les partenaires ont comparé l’organisation de la prévention dans chaque pays et "
        "choisi les cas pratiques des premières formations.",
        "Twee dagen lang vergeleken de partners hoe elk land het preventiewerk organiseert en kozen ze de "
        "casussen voor de eerste opleidingen.",
    ),
    "New guide for youth workers published": (
        "Publication d’un nouveau guide pour les animateurs jeunesse",
        "Nieuwe gids voor jongerenwerkers verschenen",
    ),
    "new-guide-for-youth-workers": ("nouveau-guide-pour-les-animateurs-jeunesse", "nieuwe-gids-voor-jongerenwerkers"),
    "Practical cards for difficult conversations are now in the resource library.": (
        "Des fiches pratiques pour les conversations difficiles sont disponibles dans la bibliothèque de "
        "ressources.",
        "Praktische kaarten voor moeilijke gesprekken staan nu in het documentatiecentrum.",
    ),
    "The guide was written with youth workers in Roubaix and Rotterdam and tested in their drop-in centres.": (
        "Le guide a été rédigé avec des animateurs de Roubaix et de Rotterdam et testé dans leurs lieux "
        "d’accueil.",
        "De gids is samen met jongerenwerkers uit Roubaix en Rotterdam geschreven en in hun inloophuizen "
        "getest.",
    ),
    "Webinar: talking with young people about extremist content online": (
        "Webinaire : parler avec les jeunes des contenus extrémistes en ligne",
        "Webinar: in gesprek met jongeren over extremistische inhoud online",
    ),
    "webinar-talking-with-young-people": ("webinaire-parler-avec-les-jeunes", "webinar-in-gesprek-met-jongeren"),
    "A one-hour webinar for teachers and youth workers, with time for questions.": (
        "Un webinaire d’une heure pour les enseignants et les animateurs jeunesse, avec un temps de questions.",
        "Een webinar van een uur voor leerkrachten en jongerenwerkers, met tijd voor vragen.",
    ),
    "Our trainers show how to start a conversation about a video or a post without shutting it down.": (
        "Nos formateurs montrent comment engager la conversation à propos d’une vidéo ou d’une publication "
        "sans la couper court.",
        "Onze trainers laten zien hoe je een gesprek over een video of een bericht begint zonder het af te "
        "kappen.",
    ),
    # Resource library
    "Resource library": ("Bibliothèque de ressources", "Documentatiecentrum"),
    "resource-library": ("bibliotheque-de-ressources", "documentatiecentrum"),
    "Guides, checklists and session plans to download, in English, French and Dutch.": (
        "Guides, listes de repères et déroulés de séance à télécharger, en anglais, en français et en "
        "néerlandais.",
        "Gidsen, checklists en sessieplannen om te downloaden, in het Engels, Frans en Nederlands.",
    ),
    # Partners
    "Partners": ("Partenaires", "Partners"),
    "partners": ("partenaires", "partners"),
    "The organisations that run Bridgeline in each country.": (
        "Les organisations qui portent Bridgeline dans chaque pays.",
        "De organisaties die Bridgeline in elk land uitvoeren.",
    ),
    "Contact the partner in your country to join a course or to host a session.": (
        "Contactez le partenaire de votre pays pour suivre une formation ou accueillir une séance.",
        "Neem contact op met de partner in je land om een opleiding te volgen of een sessie te organiseren.",
    ),
    # Footer
    "Bridgeline is co-funded by the European Union. Views and opinions expressed are those of the authors only "
    "and do not necessarily reflect those of the European Union or the granting authority. Neither the European "
    "Union nor the granting authority can be held responsible for them.": (
        "Bridgeline est cofinancé par l’Union européenne. Les points de vue et avis exprimés n’engagent toutefois "
        "que leurs auteurs et ne reflètent pas nécessairement ceux de l’Union européenne ou de l’autorité "
        "chargée de l’octroi. Ni l’Union européenne ni l’autorité chargée de l’octroi ne peuvent en être tenues "
        "pour responsables.",
        "Bridgeline wordt medegefinancierd door de Europese Unie. De geuite standpunten en meningen zijn echter "
        "alleen die van de auteurs en komen niet noodzakelijk overeen met die van de Europese Unie of de "
        "subsidieverlenende instantie. Noch de Europese Unie noch de subsidieverlenende instantie kan ervoor "
        "aansprakelijk worden gesteld.",
    ),
    "Questions about the programme? Write to the partner in your country.": (
        "Une question sur le programme ? Écrivez au partenaire de votre pays.",
        "Vragen over het programma? Schrijf naar de partner in je land.",
    ),
    "European Union": ("Union européenne", "Europese Unie"),
}

COUNTRY_NAMES: dict[str, tuple[str, str, str]] = {
    Country.GB: ("England", "Angleterre", "Engeland"),
    Country.FR: ("France", "France", "Frankrijk"),
    Country.BE: ("Belgium (Flanders)", "Belgique (Flandre)", "België (Vlaanderen)"),
    Country.NL: ("the Netherlands", "aux Pays-Bas", "Nederland"),
}


def _partner_intro(country: str) -> tuple[str, str, str]:
    en, fr, nl = COUNTRY_NAMES[country]
    fr_place = fr if fr.startswith("aux ") else ("en " + fr)
    return (
        f"The Bridgeline partner in {en}: courses, trainers and local contacts.",
        f"Le partenaire de Bridgeline {fr_place} : formations, formateurs et contacts locaux.",
        f"De Bridgeline-partner in {nl}: opleidingen, trainers en lokale contactpersonen.",
    )


@dataclass(frozen=True)
class DemoResource:
    title: str
    language: str
    audience: str
    extension: str
    description: str


RESOURCES: tuple[DemoResource, ...] = (
    DemoResource(
        "Recognising early signs: a checklist for teachers",
        "en",
        Audience.TEACHERS,
        "pdf",
        "A one-page checklist to discuss with your school's safeguarding lead.",
    ),
    DemoResource(
        "Working with families: notes for social workers",
        "en",
        Audience.SOCIAL_WORKERS,
        "txt",
        "How to involve parents and carers when a young person is at risk.",
    ),
    DemoResource(
        "Dialoguer avec les jeunes : fiches pratiques pour animateurs",
        "fr",
        Audience.YOUTH_WORKERS,
        "pdf",
        "Six fiches pour ouvrir et tenir une conversation difficile.",
    ),
    DemoResource(
        "Radicalisation en détention : repères pour les personnels pénitentiaires",
        "fr",
        Audience.PRISON_STAFF,
        "txt",
        "Repères d'observation et circuits de signalement en établissement.",
    ),
    DemoResource(
        "Signalen herkennen: handreiking voor wijkagenten",
        "nl",
        Audience.POLICE,
        "txt",
        "Wat wijkagenten kunnen doen bij zorgen over radicalisering in de buurt.",
    ),
    DemoResource(
        "Samen sterk: gids voor iedereen die met jongeren werkt",
        "nl",
        Audience.ALL,
        "pdf",
        "Een korte introductie op preventie van gewelddadige radicalisering.",
    ),
)


# --- Entry point ------------------------------------------------------------


@transaction.atomic
def seed_cms(*, partners: Sequence[Partner]) -> HomePage:
    """Create (once) the demo site in en/fr/nl and return the English home page."""
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in LANGUAGES}
    en = locales["en"]

    home = _ensure_home(locale=en)
    _ensure_default_site(home=home)

    about = ensure_child(
        parent=home,
        page=StandardPage(
            title="About the programme",
            slug="about",
            show_in_menus=True,
            intro="Bridgeline is a cross-border programme for professionals who work with young people.",
            body=[
                ("heading", {"text": "Why early prevention matters", "level": "h2"}),
                (
                    "paragraph",
                    _para(
                        "First-line workers are often the first to notice that a young person is being drawn "
                        "towards extremist ideas. Acting early, with care and without stigma, keeps the door "
                        "open for dialogue."
                    ),
                ),
                ("heading", {"text": "Who we train", "level": "h2"}),
                (
                    "paragraph",
                    _para(
                        "Teachers, youth workers, police officers, social and welfare workers, prison staff and "
                        "community organisations take part in the same blended courses, in their own language."
                    ),
                ),
            ],
        ),
    )
    news_index = ensure_child(
        parent=home,
        page=NewsIndexPage(
            title="News and events",
            slug="news-and-events",
            show_in_menus=True,
            intro="What is happening across the partnership.",
        ),
    )
    news_items = _ensure_news(index=news_index)
    library = ensure_child(
        parent=home,
        page=ResourceLibraryPage(
            title="Resource library",
            slug="resource-library",
            show_in_menus=True,
            intro="Guides, checklists and session plans to download, in English, French and Dutch.",
        ),
    )
    _ensure_resources()
    partner_index = ensure_child(
        parent=home,
        page=PartnerIndexPage(
            title="Partners",
            slug="partners",
            show_in_menus=True,
            intro="The organisations that run Bridgeline in each country.",
        ),
    )
    partner_pages, partner_strings = _ensure_partner_pages(index=partner_index, partners=partners)
    _ensure_featured(home=home, pages=[about, library, partner_index])
    footer = _ensure_footer(locale=en)

    # Parents before children: a translated child is created under its
    # parent's translation.
    for page in [home, about, news_index, *news_items, library, partner_index, *partner_pages]:
        for code in TARGET_LANGUAGES:
            ensure_translation(instance=page, locale=locales[code], texts={**TRANSLATIONS, **partner_strings})
    for code in TARGET_LANGUAGES:
        ensure_translation(instance=footer, locale=locales[code], texts=TRANSLATIONS)
    return home


# --- Pages ------------------------------------------------------------------


def _rich(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


def _para(text: str) -> RichText:
    return RichText(_rich(text))


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _ensure_home(*, locale: Locale) -> HomePage:
    """The English home page, replacing Wagtail's "Welcome" placeholder.

    The placeholder holds the slug "home" and is the default Site's root, so
    the new home is created under a temporary slug, made the Site root (the
    Site row cascades with its root page), and renamed once the placeholder is
    gone.
    """
    home = HomePage.objects.filter(depth=2, locale=locale).first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    welcome = Page.objects.filter(depth=2, slug="home", content_type__model="page", content_type__app_label="wagtailcore")
    home = HomePage(
        title="Bridgeline",
        slug="home-bridgeline",
        locale=locale,
        hero_heading="Preventing violent radicalisation, together",
        intro=_rich(
            "Bridgeline trains teachers, youth workers, police and social workers in England, France, Belgium and "
            "the Netherlands to recognise radicalisation early and to respond with confidence."
        ),
        body=[
            ("heading", {"text": "How the programme works", "level": "h2"}),
            (
                "paragraph",
                _rich(
                    "Every course combines online lessons at your own pace with face-to-face sessions led by "
                    "trained facilitators from our partner organisations."
                ),
            ),
            (
                "quote",
                {
                    "quote": "The training gave me words for conversations I used to avoid.",
                    "attribution": "Youth worker, Antwerp",
                },
            ),
        ],
    )
    root.add_child(instance=home)
    _ensure_default_site(home=home)
    for page in welcome:
        page.delete()
    home.refresh_from_db()
    home.slug = "home"
    _publish(home)
    # publish() saved a copy from the revision; reload for the new url_path.
    return HomePage.objects.get(pk=home.pk)


def _ensure_default_site(*, home: HomePage) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True)
    if site.root_page_id != home.pk or site.site_name != "Bridgeline":
        site.root_page = home
        site.site_name = "Bridgeline"
        site.save()


def _ensure_news(*, index: NewsIndexPage) -> list[NewsPage]:
    today = timezone.localdate()
    event_day = today + datetime.timedelta(days=30)
    event_start = timezone.make_aware(datetime.datetime.combine(event_day, datetime.time(14, 0)))
    specs = [
        NewsPage(
            title="Partners meet in Lille to launch Bridgeline",
            slug="partners-meet-in-lille",
            date=today - datetime.timedelta(days=40),
            intro="Trainers from four countries agreed the first course programme.",
            body=[
                (
                    "paragraph",
                    _para(
                        "Over two days, the partners compared how each country organises prevention work and "
                        "chose the cases that the first courses will use."
                    ),
                )
            ],
        ),
        NewsPage(
            title="New guide for youth workers published",
            slug="new-guide-for-youth-workers",
            date=today - datetime.timedelta(days=10),
            intro="Practical cards for difficult conversations are now in the resource library.",
            body=[
                (
                    "paragraph",
                    _para(
                        "The guide was written with youth workers in Roubaix and Rotterdam and tested in their "
                        "drop-in centres."
                    ),
                )
            ],
        ),
        NewsPage(
            title="Webinar: talking with young people about extremist content online",
            slug="webinar-talking-with-young-people",
            date=today - datetime.timedelta(days=2),
            intro="A one-hour webinar for teachers and youth workers, with time for questions.",
            event_start=event_start,
            event_end=event_start + datetime.timedelta(hours=1),
            is_online=True,
            body=[
                (
                    "paragraph",
                    _para(
                        "Our trainers show how to start a conversation about a video or a post without shutting "
                        "it down."
                    ),
                )
            ],
        ),
    ]
    return [ensure_child(parent=index, page=spec) for spec in specs]


def _ensure_partner_pages(
    *, index: PartnerIndexPage, partners: Sequence[Partner]
) -> tuple[list[PartnerPage], dict[str, tuple[str, str]]]:
    """One page per partner, and the strings of those pages that are not in
    TRANSLATIONS (names and slugs stay as the partner writes them)."""
    pages: list[PartnerPage] = []
    strings: dict[str, tuple[str, str]] = {}
    for partner in partners:
        intro_en, intro_fr, intro_nl = _partner_intro(partner.country)
        strings[partner.name] = (partner.name, partner.name)
        strings[partner.slug] = (partner.slug, partner.slug)
        strings[intro_en] = (intro_fr, intro_nl)
        existing = PartnerPage.objects.child_of(index).filter(partner=partner).first()
        if existing is not None:
            pages.append(existing)
            continue
        pages.append(
            ensure_child(
                parent=index,
                page=PartnerPage(
                    title=partner.name,
                    slug=partner.slug,
                    partner=partner,
                    intro=intro_en,
                    body=[
                        (
                            "paragraph",
                            _para("Contact the partner in your country to join a course or to host a session."),
                        )
                    ],
                ),
            )
        )
    return pages, strings


def _ensure_featured(*, home: HomePage, pages: Sequence[Page]) -> None:
    if home.featured_pages.exists():
        return
    for order, page in enumerate(pages):
        home.featured_pages.add(HomePageFeaturedPage(page=page, sort_order=order))
    _publish(home)


# --- Documents and footer ------------------------------------------------------


def _ensure_resources() -> list[Resource]:
    resources = []
    for spec in RESOURCES:
        resource = Resource.objects.filter(title=spec.title).first()
        if resource is None:
            resource = Resource(
                title=spec.title, language=spec.language, audience=spec.audience, description=spec.description
            )
            body = f"{spec.title}\n\n{spec.description}\n"
            content = _tiny_pdf(body) if spec.extension == "pdf" else body.encode("utf-8")
            resource.file.save(f"{_filename(spec.title)}.{spec.extension}", ContentFile(content), save=False)
            resource._set_document_file_metadata()
            resource.file.close()
            resource.full_clean()
            resource.save()
        resources.append(resource)
    return resources


def _filename(title: str) -> str:
    from django.utils.text import slugify

    return slugify(title)[:60] or "resource"


def _tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing `text` (Latin-1 subset), built in code so no
    binary file is committed."""
    lines = [line for line in text.splitlines() if line]
    ops = ["BT", "/F1 12 Tf", "72 770 Td", "16 TL"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) '")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _ensure_footer(*, locale: Locale) -> FooterText:
    footer = FooterText.objects.filter(locale=locale).order_by("pk").first()
    if footer is None:
        footer = FooterText(
            locale=locale,
            funding_statement=_rich(
                "Bridgeline is co-funded by the European Union. Views and opinions expressed are those of the "
                "authors only and do not necessarily reflect those of the European Union or the granting "
                "authority. Neither the European Union nor the granting authority can be held responsible for them."
            ),
            contact_line="Questions about the programme? Write to the partner in your country.",
        )
        footer.full_clean()
        footer.save()
    return footer


# --- Translation ------------------------------------------------------------
