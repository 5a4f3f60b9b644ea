"""The demo course, in English, French and Dutch.

`seed_courses` adds a course index under the English home page (made by
`demo.cms.seed_cms`, which must run first) and one train-the-trainer course
owned by the Belgian partner: three modules of two lessons, with a video and
its transcript, three H5P activities (a True/False and a Multiple Choice
question played by the official H5P libraries, and the project's own
check), a three-question quiz, reflections, a downloadable resource and a
face-to-face session. The French and Dutch versions are made through
wagtail-localize (TranslationSource → Translation → StringTranslation →
translated page), the records the admin's "Translate" action creates, so
editors find them in wagtail-localize's editor and block ids are the
English ones (the learning app's evidence keys). The H5P packages
themselves are in English only (their content is not translated).

The H5P activities are the packages in `demo/h5p/` (demo/h5p/README.md),
each zipped in memory and stored through
`courses.h5p.services.h5p_package_create` like an upload:

* `true-false` and `multiple-choice`: content written for this course, run
  by the official H5P True/False 1.6 and Multiple Choice 1.14 libraries,
  the real content types trainers upload from the H5P hub;
* `bridgeline-check`: the project's own small content type (the same files
  as the test fixture, kept here because demo code never imports from
  tests).

The video URL is a placeholder for the partners' own film. Its embed is
stored empty in Wagtail's embed cache so demo pages never call YouTube
(offline laptops, CI): the lesson shows a link and the transcript. An editor
who replaces the URL gets the provider's player as usual.

Idempotent: everything is looked up before it is created, and an existing
page, package or translation is left exactly as it is.
"""

from __future__ import annotations

import datetime
import html
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Locale, Page
from wagtail.rich_text import RichText

from courses.h5p.models import H5PPackage
from courses.h5p.services import h5p_package_create
from courses.models import Audience, CourseIndexPage, CoursePage, CourseTrainer, LessonPage, ModulePage
from demo.translating import TARGET_LANGUAGES, ensure_child, ensure_translation
from partners.models import Membership, Partner, Role

H5P_DIR = Path(__file__).resolve().parent / "h5p"


@dataclass(frozen=True)
class DemoH5P:
    """A package folder under demo/h5p/ (the root of an unzipped `.h5p`) and
    the title its package gets, by which a second run finds it again."""

    folder: str
    title: str


BRIDGELINE_CHECK = DemoH5P("bridgeline-check", "Bridgeline check: have you read the lesson?")
TRUE_FALSE = DemoH5P("true-false", "True or false? Religious practice and radicalisation")
MULTIPLE_CHOICE = DemoH5P("multiple-choice", "After a referral, what do you do next?")
DEMO_H5P = (TRUE_FALSE, BRIDGELINE_CHECK, MULTIPLE_CHOICE)
VIDEO_URL = "https://www.youtube.com/watch?v=bridgeline1"
RESOURCE_TITLE = "Conversation checklist for first-line workers"
COURSE_SLUG = "recognising-and-responding-to-radicalisation"


class HomeNotTranslated(Exception):
    """The French or Dutch home page is missing: run demo.cms.seed_cms first."""


# English → (French, Dutch). Rich text is one paragraph per string, as
# wagtail-localize segments it.
TRANSLATIONS: dict[str, tuple[str, str]] = {
    # Index
    "Courses": ("Formations", "Opleidingen"),
    "courses": ("formations", "opleidingen"),
    "Self-paced online courses with face-to-face sessions, for professionals who work with young people.": (
        "Des formations en ligne à suivre à votre rythme, avec des séances en présentiel, pour les "
        "professionnels qui travaillent avec des jeunes.",
        "Online opleidingen in je eigen tempo, met bijeenkomsten ter plaatse, voor professionals die met "
        "jongeren werken.",
    ),
    # Course
    "Recognising and responding to radicalisation: a train-the-trainer course": (
        "Repérer la radicalisation et y répondre : une formation de formateurs",
        "Radicalisering herkennen en erop reageren: een train-de-trainer-opleiding",
    ),
    COURSE_SLUG: ("reperer-la-radicalisation-et-y-repondre", "radicalisering-herkennen-en-erop-reageren"),
    "Learn to recognise early signs of radicalisation, to open a conversation without closing it, to know "
    "when to refer, and to pass all of this on to your colleagues.": (
        "Apprenez à repérer les premiers signes de radicalisation, à engager la conversation sans la fermer, "
        "à savoir quand passer le relais, et à transmettre tout cela à vos collègues.",
        "Leer vroege signalen van radicalisering herkennen, een gesprek openen zonder het af te sluiten, "
        "weten wanneer je doorverwijst, en dit alles doorgeven aan je collega’s.",
    ),
    "Describe radicalisation as a process and tell it apart from strong opinions": (
        "Décrire la radicalisation comme un processus et la distinguer d’opinions tranchées",
        "Radicalisering beschrijven als een proces en onderscheiden van uitgesproken meningen",
    ),
    "Recognise early signs and protective factors in a young person’s life": (
        "Repérer les signes précoces et les facteurs de protection dans la vie d’un jeune",
        "Vroege signalen en beschermende factoren in het leven van een jongere herkennen",
    ),
    "Open and keep up a conversation about extreme ideas": (
        "Engager et entretenir une conversation sur des idées extrêmes",
        "Een gesprek over extreme ideeën openen en gaande houden",
    ),
    "Run a training session on these skills with colleagues": (
        "Animer une séance de formation sur ces compétences avec des collègues",
        "Een vormingssessie over deze vaardigheden met collega’s begeleiden",
    ),
    # Module 1
    "Understanding radicalisation": ("Comprendre la radicalisation", "Radicalisering begrijpen"),
    "understanding-radicalisation": ("comprendre-la-radicalisation", "radicalisering-begrijpen"),
    "What radicalisation is, how it happens, and what protects young people.": (
        "Ce qu’est la radicalisation, comment elle se produit et ce qui protège les jeunes.",
        "Wat radicalisering is, hoe ze verloopt en wat jongeren beschermt.",
    ),
    "What radicalisation is and is not": (
        "Ce qu’est la radicalisation, et ce qu’elle n’est pas",
        "Wat radicalisering is en wat niet",
    ),
    "what-radicalisation-is": ("ce-qu-est-la-radicalisation", "wat-radicalisering-is"),
    "A shared vocabulary before we talk about signs.": (
        "Un vocabulaire commun avant de parler des signes.",
        "Een gedeelde woordenschat voor we het over signalen hebben.",
    ),
    "Radicalisation is a process in which a person comes to accept, support or use violence to reach "
    "political or ideological goals. It is a process, not an event: it takes time, and it can stop or "
    "reverse at any point.": (
        "La radicalisation est un processus par lequel une personne en vient à accepter, soutenir ou "
        "utiliser la violence pour atteindre des objectifs politiques ou idéologiques. C’est un processus, "
        "pas un événement : il prend du temps et peut s’arrêter ou s’inverser à tout moment.",
        "Radicalisering is een proces waarin iemand geweld gaat aanvaarden, steunen of gebruiken om "
        "politieke of ideologische doelen te bereiken. Het is een proces, geen gebeurtenis: het vraagt tijd "
        "en kan op elk moment stoppen of omkeren.",
    ),
    "Strong opinions, religious practice or anger at injustice are not radicalisation. Treating them as "
    "warning signs pushes young people away from the adults who could help them.": (
        "Des opinions tranchées, une pratique religieuse ou de la colère face à l’injustice ne sont pas de "
        "la radicalisation. Les traiter comme des signaux d’alerte éloigne les jeunes des adultes qui "
        "pourraient les aider.",
        "Uitgesproken meningen, geloofsbeleving of woede over onrecht zijn geen radicalisering. Wie ze als "
        "alarmsignalen behandelt, duwt jongeren weg van de volwassenen die hen kunnen helpen.",
    ),
    "A youth worker describes a first conversation": (
        "Un animateur jeunesse raconte une première conversation",
        "Een jongerenwerker vertelt over een eerste gesprek",
    ),
    "When Samir first showed me the videos he was watching, my instinct was to tell him they were wrong.": (
        "Quand Samir m’a montré pour la première fois les vidéos qu’il regardait, mon premier réflexe a été "
        "de lui dire qu’elles avaient tort.",
        "Toen Samir me voor het eerst de video’s liet zien die hij bekeek, was mijn eerste reflex hem te "
        "zeggen dat ze fout waren.",
    ),
    "Instead I asked him what he found convincing in them. He talked for twenty minutes. That was the "
    "start of a conversation that lasted a year.": (
        "À la place, je lui ai demandé ce qu’il y trouvait de convaincant. Il a parlé pendant vingt minutes. "
        "C’était le début d’une conversation qui a duré un an.",
        "In plaats daarvan vroeg ik wat hij er overtuigend aan vond. Hij praatte twintig minuten. Dat was "
        "het begin van een gesprek dat een jaar duurde.",
    ),
    "True or false? Religious practice and radicalisation": (
        "Vrai ou faux ? Pratique religieuse et radicalisation",
        "Waar of niet waar? Geloofsbeleving en radicalisering",
    ),
    "Early signs and protective factors": (
        "Signes précoces et facteurs de protection",
        "Vroege signalen en beschermende factoren",
    ),
    "early-signs-and-protective-factors": ("signes-precoces-et-facteurs-de-protection", "vroege-signalen-en-beschermende-factoren"),
    "No single sign means anything on its own; a change in several areas of life deserves attention.": (
        "Aucun signe isolé ne veut rien dire à lui seul ; un changement dans plusieurs domaines de la vie "
        "mérite qu’on s’y arrête.",
        "Geen enkel signaal betekent op zich iets; een verandering op verschillende levensdomeinen verdient "
        "aandacht.",
    ),
    "Look for changes rather than states: a young person who breaks with old friends, repeats the slogans "
    "of one online channel and starts to see the world as us against them.": (
        "Cherchez des changements plutôt que des états : un jeune qui rompt avec ses anciens amis, répète "
        "les slogans d’une seule chaîne en ligne et commence à voir le monde comme « nous contre eux ».",
        "Let op veranderingen eerder dan op toestanden: een jongere die breekt met oude vrienden, de slogans "
        "van één onlinekanaal herhaalt en de wereld begint te zien als ‘wij tegen zij’.",
    ),
    "Protective factors matter as much: a trusted adult, a place in a group, school or work that gives a "
    "future, and the skills to question what one reads.": (
        "Les facteurs de protection comptent tout autant : un adulte de confiance, une place dans un groupe, "
        "une école ou un travail qui ouvre un avenir, et la capacité de questionner ce qu’on lit.",
        "Beschermende factoren tellen even zwaar: een volwassene die men vertrouwt, een plek in een groep, "
        "school of werk dat toekomst biedt, en het vermogen om kritisch te lezen.",
    ),
    "Have you read the lesson?": ("Avez-vous lu la leçon ?", "Heb je de les gelezen?"),
    "Check your understanding": ("Vérifiez vos connaissances", "Test je kennis"),
    "Which of these is, on its own, a sign of radicalisation?": (
        "Lequel de ces éléments est, à lui seul, un signe de radicalisation ?",
        "Welke van deze elementen is op zichzelf een teken van radicalisering?",
    ),
    "Starting to pray regularly": ("Se mettre à prier régulièrement", "Regelmatig beginnen te bidden"),
    "Religious practice is not a sign of radicalisation.": (
        "La pratique religieuse n’est pas un signe de radicalisation.",
        "Geloofsbeleving is geen teken van radicalisering.",
    ),
    "Being angry about discrimination": ("Être en colère contre les discriminations", "Boos zijn over discriminatie"),
    "Anger at injustice is common and can be a starting point for dialogue.": (
        "La colère face à l’injustice est fréquente et peut ouvrir le dialogue.",
        "Woede over onrecht komt vaak voor en kan een opstap naar dialoog zijn.",
    ),
    "None of these, on its own": ("Aucun d’entre eux, à lui seul", "Geen van deze, op zichzelf"),
    "Right: look for changes in several areas of life at once.": (
        "Exact : cherchez des changements dans plusieurs domaines de la vie à la fois.",
        "Juist: let op veranderingen op verschillende levensdomeinen tegelijk.",
    ),
    "Which of these are protective factors? Choose all that apply.": (
        "Lesquels de ces éléments sont des facteurs de protection ? Choisissez toutes les bonnes réponses.",
        "Welke van deze elementen zijn beschermende factoren? Kies alle juiste antwoorden.",
    ),
    "A trusted adult": ("Un adulte de confiance", "Een volwassene die de jongere vertrouwt"),
    "A place in a sports club or group": ("Une place dans un club sportif ou un groupe", "Een plek in een sportclub of groep"),
    "Spending more time alone online": ("Passer plus de temps seul en ligne", "Meer tijd alleen online doorbrengen"),
    "Isolation online tends to remove protection rather than add it.": (
        "L’isolement en ligne a plutôt tendance à retirer une protection qu’à en ajouter.",
        "Online isolement neemt eerder bescherming weg dan dat het die toevoegt.",
    ),
    "A young person shows you an extremist video. What is a good first response?": (
        "Un jeune vous montre une vidéo extrémiste. Quelle est une bonne première réaction ?",
        "Een jongere toont je een extremistische video. Wat is een goede eerste reactie?",
    ),
    "Ask what they find convincing in it": ("Lui demander ce qu’il y trouve de convaincant", "Vragen wat hij of zij er overtuigend aan vindt"),
    "Tell them firmly that the video is wrong": ("Lui dire fermement que la vidéo a tort", "Stellig zeggen dat de video fout is"),
    "Correcting first usually ends the conversation.": (
        "Corriger d’emblée met généralement fin à la conversation.",
        "Meteen corrigeren beëindigt meestal het gesprek.",
    ),
    "Report them to the police straight away": ("Le signaler immédiatement à la police", "Meteen de politie verwittigen"),
    "Watching a video is not an offence; follow your organisation’s procedure if you are worried.": (
        "Regarder une vidéo n’est pas une infraction ; suivez la procédure de votre organisation si vous "
        "êtes inquiet.",
        "Een video bekijken is geen misdrijf; volg de procedure van je organisatie als je je zorgen maakt.",
    ),
    # Module 2
    "Responding with confidence": ("Répondre avec assurance", "Met vertrouwen reageren"),
    "responding-with-confidence": ("repondre-avec-assurance", "met-vertrouwen-reageren"),
    "How to talk about extreme ideas, and when to involve others.": (
        "Comment parler d’idées extrêmes, et quand impliquer d’autres personnes.",
        "Hoe je over extreme ideeën praat, en wanneer je anderen betrekt.",
    ),
    "Opening a conversation": ("Engager la conversation", "Een gesprek openen"),
    "opening-a-conversation": ("engager-la-conversation", "een-gesprek-openen"),
    "Questions that keep the door open.": ("Des questions qui laissent la porte ouverte.", "Vragen die de deur openhouden."),
    "Curiosity works better than correction. Ask open questions, listen to the grievance behind the slogan, "
    "and say what you think without making it a condition of the conversation.": (
        "La curiosité fonctionne mieux que la correction. Posez des questions ouvertes, écoutez le grief "
        "derrière le slogan, et dites ce que vous pensez sans en faire une condition de la conversation.",
        "Nieuwsgierigheid werkt beter dan corrigeren. Stel open vragen, luister naar het ongenoegen achter "
        "de slogan en zeg wat je denkt zonder er een voorwaarde voor het gesprek van te maken.",
    ),
    "Conversation checklist (English)": ("Liste de contrôle pour la conversation (en anglais)", "Checklist voor het gesprek (Engelstalig)"),
    "Twelve questions to open a conversation, printed on one page.": (
        "Douze questions pour engager la conversation, sur une seule page.",
        "Twaalf vragen om een gesprek te openen, op één pagina.",
    ),
    "Think of a young person you work with. What would make it easier for them to talk to you about what "
    "they see online?": (
        "Pensez à un jeune avec qui vous travaillez. Qu’est-ce qui l’aiderait à vous parler de ce qu’il voit "
        "en ligne ?",
        "Denk aan een jongere met wie je werkt. Wat zou het voor hem of haar makkelijker maken om met jou te "
        "praten over wat die online ziet?",
    ),
    "When and how to refer": ("Quand et comment passer le relais", "Wanneer en hoe doorverwijzen"),
    "when-and-how-to-refer": ("quand-et-comment-passer-le-relais", "wanneer-en-hoe-doorverwijzen"),
    "Knowing your local procedure before you need it.": (
        "Connaître la procédure locale avant d’en avoir besoin.",
        "Je lokale procedure kennen voor je ze nodig hebt.",
    ),
    "Each country organises this differently: Prevent in England, the CPRAF in France, the local "
    "integrated security cells in Belgium and the municipal safety houses in the Netherlands. Find out "
    "who your contact is today.": (
        "Chaque pays s’organise différemment : Prevent en Angleterre, les CPRAF en France, les cellules de "
        "sécurité intégrale locales en Belgique et les maisons de la sécurité municipales aux Pays-Bas. "
        "Renseignez-vous dès aujourd’hui sur votre interlocuteur.",
        "Elk land organiseert dit anders: Prevent in Engeland, de CPRAF in Frankrijk, de lokale integrale "
        "veiligheidscellen in België en de Zorg- en Veiligheidshuizen in Nederland. Zoek vandaag uit wie "
        "jouw contactpersoon is.",
    ),
    "Referring is not handing over. Stay in contact with the young person whenever it is safe to do so: "
    "your relationship is often the strongest protective factor they have.": (
        "Passer le relais, ce n’est pas se retirer. Restez en contact avec le jeune chaque fois que c’est "
        "sans danger : votre relation est souvent le facteur de protection le plus fort dont il dispose.",
        "Doorverwijzen is niet loslaten. Blijf in contact met de jongere zolang dat veilig kan: jullie band "
        "is vaak de sterkste beschermende factor die hij of zij heeft.",
    ),
    "After a referral, what do you do next?": (
        "Après avoir passé le relais, que faites-vous ensuite ?",
        "Wat doet u na een doorverwijzing?",
    ),
    # Module 3
    "Training others": ("Former d’autres personnes", "Anderen opleiden"),
    "training-others": ("former-d-autres-personnes", "anderen-opleiden"),
    "Passing the course on to colleagues in your own organisation.": (
        "Transmettre la formation à des collègues de votre organisation.",
        "De opleiding doorgeven aan collega’s in je eigen organisatie.",
    ),
    "Running a session with colleagues": ("Animer une séance avec des collègues", "Een sessie met collega’s begeleiden"),
    "running-a-session-with-colleagues": ("animer-une-seance-avec-des-collegues", "een-sessie-met-collegas-begeleiden"),
    "A three-hour session plan, practised together.": (
        "Un déroulé de séance de trois heures, mis en pratique ensemble.",
        "Een draaiboek voor een sessie van drie uur, samen ingeoefend.",
    ),
    "A good session starts from the participants’ own cases. Ask them beforehand for one situation they "
    "found difficult, and build the role plays from those.": (
        "Une bonne séance part des situations vécues par les participants. Demandez-leur à l’avance une "
        "situation qu’ils ont trouvée difficile, et construisez les jeux de rôle à partir de celles-ci.",
        "Een goede sessie vertrekt van de eigen casussen van de deelnemers. Vraag hen vooraf naar één "
        "situatie die ze moeilijk vonden en bouw de rollenspellen daarrond.",
    ),
    "Practising difficult conversations": ("S’exercer aux conversations difficiles", "Moeilijke gesprekken oefenen"),
    "Vormingscentrum De Brug, Kerkstraat 12, 2000 Antwerpen": (
        "Vormingscentrum De Brug, Kerkstraat 12, 2000 Anvers",
        "Vormingscentrum De Brug, Kerkstraat 12, 2000 Antwerpen",
    ),
    "Lotte Janssens": ("Lotte Janssens", "Lotte Janssens"),
    "Looking after yourself and your group": ("Prendre soin de soi et de son groupe", "Zorg dragen voor jezelf en je groep"),
    "looking-after-yourself-and-your-group": ("prendre-soin-de-soi-et-de-son-groupe", "zorg-dragen-voor-jezelf-en-je-groep"),
    "Difficult topics affect trainers too.": (
        "Les sujets difficiles touchent aussi les formateurs.",
        "Moeilijke onderwerpen raken ook trainers.",
    ),
    "Agree ground rules at the start, leave time to close each session calmly, and know where participants "
    "can turn if a case stays with them.": (
        "Fixez des règles communes au début, gardez du temps pour clore chaque séance dans le calme, et sachez "
        "vers qui les participants peuvent se tourner si une situation les poursuit.",
        "Maak bij de start afspraken, neem tijd om elke sessie rustig af te sluiten en weet waar deelnemers "
        "terechtkunnen als een casus hen blijft bezighouden.",
    ),
    "After your first session: what went well, and what would you do differently next time?": (
        "Après votre première séance : qu’est-ce qui a bien fonctionné, et que feriez-vous autrement la "
        "prochaine fois ?",
        "Na je eerste sessie: wat ging goed, en wat zou je de volgende keer anders doen?",
    ),
}


@transaction.atomic
def seed_courses(*, partners: Sequence[Partner]) -> CoursePage:
    """Create the demo course (once) and its French and Dutch translations."""
    home = Page.objects.filter(depth=2, locale__language_code="en").order_by("path").first()
    if home is None:
        raise HomeNotTranslated("No English home page: run demo.cms.seed_cms first.")
    targets = [Locale.objects.get_or_create(language_code=code)[0] for code in TARGET_LANGUAGES]
    for target in targets:
        if home.get_translation_or_none(target) is None:
            raise HomeNotTranslated(f"The home page has no {target.language_code} translation: run seed_cms first.")

    index = ensure_child(
        parent=home,
        page=CourseIndexPage(
            title="Courses",
            slug="courses",
            intro="Self-paced online courses with face-to-face sessions, for professionals who work with young people.",
            show_in_menus=True,  # visitors find the courses from the main menu
        ),
    )
    owner = next((p for p in partners if p.country == "BE"), None) or (partners[0] if partners else None)
    if owner is None:
        raise ValueError("seed_courses needs at least one partner (run seed_people first).")
    course = CoursePage.objects.child_of(index).filter(slug=COURSE_SLUG).first()
    if course is None:
        course = _create_course(index=index, owner=owner)

    pages = [index, course]
    for module in ModulePage.objects.child_of(course).order_by("path"):
        pages.append(module)
        pages.extend(LessonPage.objects.child_of(module).order_by("path"))
    for page in pages:
        for target in targets:
            ensure_translation(instance=page, locale=target, texts=TRANSLATIONS)
    return CoursePage.objects.get(pk=course.pk)


# --- The English course -------------------------------------------------------------


def _create_course(*, index: CourseIndexPage, owner: Partner) -> CoursePage:
    course = ensure_child(
        parent=index,
        page=CoursePage(
            title="Recognising and responding to radicalisation: a train-the-trainer course",
            slug=COURSE_SLUG,
            summary=(
                "Learn to recognise early signs of radicalisation, to open a conversation without closing it, to "
                "know when to refer, and to pass all of this on to your colleagues."
            ),
            audience=[Audience.TEACHERS, Audience.YOUTH_WORKERS, Audience.POLICE, Audience.SOCIAL_WORKERS],
            learning_outcomes=[
                ("outcome", "Describe radicalisation as a process and tell it apart from strong opinions"),
                ("outcome", "Recognise early signs and protective factors in a young person’s life"),
                ("outcome", "Open and keep up a conversation about extreme ideas"),
                ("outcome", "Run a training session on these skills with colleagues"),
            ],
            estimated_hours=Decimal("8"),
            partner=owner,
            is_public=True,
            sequential=True,
            # Blended: three quarters of the course's live session time
            # (demo.live holds last week's webinar); programme certificates.
            completion_min_live_attendance_percent=75,
            certificate_enabled=True,
        ),
    )
    trainer = (
        Membership.objects.filter(partner=owner, role=Role.TRAINER).select_related("user").order_by("pk").first()
    )
    if trainer is not None and not course.trainers.exists():
        CourseTrainer.objects.create(course=course, user=trainer.user, sort_order=0)
        course.save_revision().publish()

    check = _ensure_h5p_package(BRIDGELINE_CHECK)
    true_false = _ensure_h5p_package(TRUE_FALSE)
    multiple_choice = _ensure_h5p_package(MULTIPLE_CHOICE)
    resource = _ensure_resource()
    _ensure_video_embed()
    session_day = timezone.localdate() + datetime.timedelta(days=45)
    session_start = timezone.make_aware(datetime.datetime.combine(session_day, datetime.time(9, 30)))

    understanding = ensure_child(
        parent=course,
        page=ModulePage(
            title="Understanding radicalisation",
            slug="understanding-radicalisation",
            intro="What radicalisation is, how it happens, and what protects young people.",
        ),
    )
    _lesson(
        understanding,
        "What radicalisation is and is not",
        "what-radicalisation-is",
        "A shared vocabulary before we talk about signs.",
        20,
        [
            _text(
                "Radicalisation is a process in which a person comes to accept, support or use violence to reach "
                "political or ideological goals. It is a process, not an event: it takes time, and it can stop or "
                "reverse at any point.",
                "Strong opinions, religious practice or anger at injustice are not radicalisation. Treating them as "
                "warning signs pushes young people away from the adults who could help them.",
            ),
            (
                "video",
                {
                    "embed": VIDEO_URL,
                    "title": "A youth worker describes a first conversation",
                    "transcript": RichText(
                        _paragraphs(
                            "When Samir first showed me the videos he was watching, my instinct was to tell him they "
                            "were wrong.",
                            "Instead I asked him what he found convincing in them. He talked for twenty minutes. That "
                            "was the start of a conversation that lasted a year.",
                        )
                    ),
                    "required": True,
                },
            ),
            (
                "h5p",
                {
                    "title": "True or false? Religious practice and radicalisation",
                    "package": true_false,
                    "pass_threshold": Decimal("1"),
                    "required": True,
                },
            ),
        ],
    )
    _lesson(
        understanding,
        "Early signs and protective factors",
        "early-signs-and-protective-factors",
        "No single sign means anything on its own; a change in several areas of life deserves attention.",
        30,
        [
            _text(
                "Look for changes rather than states: a young person who breaks with old friends, repeats the "
                "slogans of one online channel and starts to see the world as us against them.",
                "Protective factors matter as much: a trusted adult, a place in a group, school or work that gives "
                "a future, and the skills to question what one reads.",
            ),
            (
                "h5p",
                {"title": "Have you read the lesson?", "package": check, "pass_threshold": Decimal("1"), "required": True},
            ),
            ("quiz", _quiz()),
        ],
    )

    responding = ensure_child(
        parent=course,
        page=ModulePage(
            title="Responding with confidence",
            slug="responding-with-confidence",
            intro="How to talk about extreme ideas, and when to involve others.",
        ),
    )
    _lesson(
        responding,
        "Opening a conversation",
        "opening-a-conversation",
        "Questions that keep the door open.",
        25,
        [
            _text(
                "Curiosity works better than correction. Ask open questions, listen to the grievance behind the "
                "slogan, and say what you think without making it a condition of the conversation."
            ),
            (
                "resource",
                {
                    "document": resource,
                    "label": "Conversation checklist (English)",
                    "description": "Twelve questions to open a conversation, printed on one page.",
                    "required": False,
                },
            ),
            (
                "reflection",
                {
                    "prompt": "Think of a young person you work with. What would make it easier for them to talk to "
                    "you about what they see online?",
                    "required": True,
                },
            ),
        ],
    )
    _lesson(
        responding,
        "When and how to refer",
        "when-and-how-to-refer",
        "Knowing your local procedure before you need it.",
        20,
        [
            _text(
                "Each country organises this differently: Prevent in England, the CPRAF in France, the local "
                "integrated security cells in Belgium and the municipal safety houses in the Netherlands. Find out "
                "who your contact is today.",
                "Referring is not handing over. Stay in contact with the young person whenever it is safe to do so: "
                "your relationship is often the strongest protective factor they have.",
            ),
            (
                "h5p",
                {
                    "title": "After a referral, what do you do next?",
                    "package": multiple_choice,
                    "pass_threshold": Decimal("0.8"),
                    "required": True,
                },
            ),
        ],
    )

    training = ensure_child(
        parent=course,
        page=ModulePage(
            title="Training others",
            slug="training-others",
            intro="Passing the course on to colleagues in your own organisation.",
        ),
    )
    _lesson(
        training,
        "Running a session with colleagues",
        "running-a-session-with-colleagues",
        "A three-hour session plan, practised together.",
        30,
        [
            _text(
                "A good session starts from the participants’ own cases. Ask them beforehand for one situation they "
                "found difficult, and build the role plays from those."
            ),
            (
                "session",
                {
                    "title": "Practising difficult conversations",
                    "starts_at": session_start,
                    "duration_minutes": 180,
                    "place": "Vormingscentrum De Brug, Kerkstraat 12, 2000 Antwerpen",
                    "trainer_name": "Lotte Janssens",
                    "trainer_email": owner.contact_email or "",
                    "required": True,
                },
            ),
        ],
    )
    _lesson(
        training,
        "Looking after yourself and your group",
        "looking-after-yourself-and-your-group",
        "Difficult topics affect trainers too.",
        15,
        [
            _text(
                "Agree ground rules at the start, leave time to close each session calmly, and know where "
                "participants can turn if a case stays with them."
            ),
            (
                "reflection",
                {
                    "prompt": "After your first session: what went well, and what would you do differently next time?",
                    "required": True,
                },
            ),
        ],
    )
    return CoursePage.objects.get(pk=course.pk)


def _quiz() -> dict:
    def answer(text, correct=False, feedback=""):
        return {"text": text, "correct": correct, "feedback": feedback}

    return {
        "title": "Check your understanding",
        "pass_mark_percent": 66,
        "attempts_allowed": 0,
        "questions": [
            {
                "kind": "single",
                "prompt": "Which of these is, on its own, a sign of radicalisation?",
                "answers": [
                    answer("Starting to pray regularly", feedback="Religious practice is not a sign of radicalisation."),
                    answer(
                        "Being angry about discrimination",
                        feedback="Anger at injustice is common and can be a starting point for dialogue.",
                    ),
                    answer(
                        "None of these, on its own",
                        correct=True,
                        feedback="Right: look for changes in several areas of life at once.",
                    ),
                ],
            },
            {
                "kind": "multiple",
                "prompt": "Which of these are protective factors? Choose all that apply.",
                "answers": [
                    answer("A trusted adult", correct=True),
                    answer("A place in a sports club or group", correct=True),
                    answer(
                        "Spending more time alone online",
                        feedback="Isolation online tends to remove protection rather than add it.",
                    ),
                ],
            },
            {
                "kind": "single",
                "prompt": "A young person shows you an extremist video. What is a good first response?",
                "answers": [
                    answer("Ask what they find convincing in it", correct=True),
                    answer("Tell them firmly that the video is wrong", feedback="Correcting first usually ends the conversation."),
                    answer(
                        "Report them to the police straight away",
                        feedback="Watching a video is not an offence; follow your organisation’s procedure if you are "
                        "worried.",
                    ),
                ],
            },
        ],
        "required": True,
    }


def _paragraphs(*texts: str) -> str:
    return "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in texts)


def _text(*paragraphs: str, required: bool = True) -> tuple[str, dict]:
    return ("text", {"text": RichText(_paragraphs(*paragraphs)), "required": required})


def _lesson(module: ModulePage, title: str, slug: str, intro: str, minutes: int, body: list) -> LessonPage:
    return ensure_child(
        parent=module, page=LessonPage(title=title, slug=slug, intro=intro, estimated_minutes=minutes, body=body)
    )


def _ensure_h5p_package(demo: DemoH5P) -> H5PPackage:
    """The package of `demo` (found by its title, else zipped from its
    folder in memory and stored like an upload)."""
    package = H5PPackage.objects.filter(title=demo.title).order_by("pk").first()
    if package is not None:
        return package
    return h5p_package_create(uploaded_file=h5p_archive(demo), title=demo.title)


def h5p_archive(demo: DemoH5P) -> io.BytesIO:
    """The folder of `demo` as an `.h5p` archive: its contents at the top
    level (h5p.json, content/, one folder per library), names in order."""
    folder = H5P_DIR / demo.folder
    if not (folder / "h5p.json").is_file():
        raise FileNotFoundError(f"{folder} is not a demo H5P package (no h5p.json)")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    buffer.seek(0)
    return buffer


def _ensure_resource():
    Document = get_document_model()
    document = Document.objects.filter(title=RESOURCE_TITLE).order_by("pk").first()
    if document is not None:
        return document
    document = Document(title=RESOURCE_TITLE)
    questions = "\n".join(
        [
            RESOURCE_TITLE,
            "",
            "1. What have you been watching or reading lately?",
            "2. What do you find convincing about it?",
            "3. Who else do you talk to about this?",
            "4. What would change your mind?",
        ]
    )
    document.file.save("conversation-checklist.txt", ContentFile(questions.encode()), save=False)
    document._set_document_file_metadata()
    document.file.close()
    document.full_clean()
    document.save()
    return document


def _ensure_video_embed() -> None:
    """An empty cached embed for the placeholder URL (see the module docstring)."""
    Embed.objects.get_or_create(
        hash=get_embed_hash(VIDEO_URL),
        defaults={"url": VIDEO_URL, "type": "video", "html": "", "provider_name": "YouTube", "cache_until": None},
    )


# --- Translation -----------------------------------------------------------------------
