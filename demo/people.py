"""The programme's demo partners and people: one partner per country, each
with a coordinator, a trainer and three learners. Logins follow one pattern,
`<role>.<country code>@demo.example`, with one shared password (README)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from partners.models import Country, Partner, Role
from partners.services import membership_set

DEMO_PASSWORD = "bridgeline-demo"
DEMO_EMAIL_DOMAIN = "demo.example"


@dataclass(frozen=True)
class DemoPartner:
    slug: str
    name: str
    country: str
    language: str
    website: str
    email: str
    phone: str
    address: str


PARTNERS = [
    DemoPartner("gb-london-prevent", "London Prevention Training Hub", Country.GB, "en",
                "https://prevention-hub.example/london", "training@london-hub.demo.example", "+44 20 7946 0000",
                "1 Example Street, London"),
    DemoPartner("fr-lille-prevention", "Institut de prévention de Lille", Country.FR, "fr",
                "https://prevention.example/lille", "formation@lille.demo.example", "+33 3 20 00 00 00",
                "1 rue de l'Exemple, Lille"),
    DemoPartner("be-gent-preventie", "Preventiecentrum Gent", Country.BE, "nl",
                "https://preventie.example/gent", "vorming@gent.demo.example", "+32 9 000 00 00",
                "Voorbeeldstraat 1, Gent"),
    DemoPartner("nl-rotterdam-weerbaar", "Weerbaar Rotterdam", Country.NL, "nl",
                "https://weerbaar.example/rotterdam", "training@rotterdam.demo.example", "+31 10 000 0000",
                "Voorbeeldweg 1, Rotterdam"),
]

# (email local part, role, given name, family name) per country; names
# carry the diacritics that certificates must print correctly.
PEOPLE = {
    Country.GB: [("coordinator", Role.COORDINATOR, "Amelia", "Hughes"), ("trainer", Role.TRAINER, "Daniel", "O'Connor"),
                 ("learner1", Role.LEARNER, "Priya", "Shah"), ("learner2", Role.LEARNER, "Tomasz", "Nowak"),
                 ("learner3", Role.LEARNER, "Zoë", "Ørsted-Müller")],
    Country.FR: [("coordinator", Role.COORDINATOR, "Hélène", "Dubois"), ("trainer", Role.TRAINER, "Karim", "Benali"),
                 ("learner1", Role.LEARNER, "Léa", "Moreau"), ("learner2", Role.LEARNER, "François", "Lefèvre"),
                 ("learner3", Role.LEARNER, "Inès", "Çelik")],
    Country.BE: [("coordinator", Role.COORDINATOR, "Katrien", "Vandenbroucke"),
                 ("trainer", Role.TRAINER, "Youssef", "El Amrani"),
                 ("learner1", Role.LEARNER, "Zoë", "Vandenbroucke-Ç"), ("learner2", Role.LEARNER, "Pieter", "Claes"),
                 ("learner3", Role.LEARNER, "Anaïs", "Peeters")],
    Country.NL: [("coordinator", Role.COORDINATOR, "Marieke", "de Vries"), ("trainer", Role.TRAINER, "Sven", "Bakker"),
                 ("learner1", Role.LEARNER, "Fatima", "Yılmaz"), ("learner2", Role.LEARNER, "Jan", "Čapek"),
                 ("learner3", Role.LEARNER, "Noor", "van den Berg")],
}


def demo_email(local: str, country: str) -> str:
    return f"{local}.{country.lower()}@{DEMO_EMAIL_DOMAIN}"


@transaction.atomic
def seed_people() -> list[Partner]:
    """Create or update the demo partners, users and memberships; return the partners."""
    from allauth.account.models import EmailAddress

    partners = []
    for spec in PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name, "country": spec.country, "default_language": spec.language,
                "website": spec.website, "contact_email": spec.email, "contact_phone": spec.phone,
                "address": spec.address, "is_active": True,
            },
        )
        partners.append(partner)
        for local, role, given, family in PEOPLE[spec.country]:
            email = demo_email(local, spec.country)
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
            user.first_name, user.last_name = given, family
            user.preferred_language = spec.language
            user.save(update_fields=["first_name", "last_name", "preferred_language"])
            # Demo addresses are confirmed so that demo logins work at once.
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            membership_set(user=user, partner=partner, role=role)
    staff_email = f"staff@{DEMO_EMAIL_DOMAIN}"
    staff = User.objects.filter(email=staff_email).first()
    if staff is None:
        staff = User.objects.create_superuser(email=staff_email, password=DEMO_PASSWORD)
    staff.first_name, staff.last_name = "Programme", "Staff"
    staff.save(update_fields=["first_name", "last_name"])
    EmailAddress.objects.update_or_create(user=staff, email=staff_email, defaults={"verified": True, "primary": True})
    return partners
