"""The raw material of demo and seed data: names, places, the product catalogue, and a
deterministic maker of UUIDv7-shaped keys and realistic people.

Every e-mail address is on a reserved `.example` domain or example.com/.net/.org and every
phone number is in a range set aside for fiction where one exists, so a demo desk that sends
mail or dials never reaches a real person.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import random
import unicodedata
from dataclasses import dataclass

EPOCH = dt.datetime(1970, 1, 1)

FIRST_NAMES = (
    "Mina Ola Liam Emma Noah Olivia Lucas Sofia Jonas Anna Mateo Chloe Finn Freya Arjun Priya "
    "Tomás Lucía Søren Ingrid Zoë Marek Łukasz Agnieszka Aoife Ciarán Hannah Felix Lena Jan "
    "Sanne Daan Pieter Eva Camille Louis Chiara Marco Giulia Nils Astrid Erik Maja Oskar "
    "Amara Kwame Yusuf Leila Omar Nadia Hiroshi Yuki Wei Mei Ravi Ananya Carlos Elena Diego "
    "Isabel Grace Oliver Jack Amelia George Harriet Ruth Daniel Rachel Samuel Irene Victor "
    "Helena Paul Martha Simon Teresa Aleksander Katarzyna Björn Siobhan"
).split()

LAST_NAMES = (
    "Okafor Lindqvist Nakamura Müller Schmidt Janssen Visser Bakker Dubois Moreau Lefèvre "
    "Rossi Bianchi Ferrari García Fernández López Martínez Kowalski Nowak Wiśniewski O'Brien "
    "Murphy Kelly Walsh Byrne Andersson Johansson Nilsson Hansen Larsen Jensen Smith Jones "
    "Taylor Brown Williams Wilson Evans Thomas Roberts Patel Shah Khan Ahmed Chen Wang Li "
    "Tanaka Sato Suzuki Kim Park Mensah Boateng Adeyemi Novak Horvat Popescu Ionescu Costa "
    "Silva Pereira Santos Fischer Weber Wagner Becker Hoffmann Koch Bauer Richter Klein "
    "Wolf Schröder Neumann Schwarz MacLeod Campbell Stewart Fraser Hughes Price"
).split()

# fmt: off
POSITIONS = (
    "Owner", "Director", "Office manager", "IT manager", "Accounts", "Bookkeeper",
    "Operations", "Practice manager", "Head of IT", "Finance director", "Receptionist", "",
)
BUSINESS_KINDS = (
    "Bakery", "Dental Practice", "Architects", "Logistics", "Consulting", "Design Studio",
    "Motors", "Solicitors", "Veterinary Clinic", "Brewing", "Florist", "Physiotherapy",
    "Accountants", "Print Shop", "Coffee Roasters", "Joinery", "Opticians", "Travel",
    "Electrical", "Plumbing", "Books", "Bicycles", "Kitchens", "Pharmacy", "Guesthouse",
)
# fmt: on
BRAND_WORDS = (
    "Harbour Northgate Bluebell Riverside Oakwood Copperfield Summit Lighthouse Meadow Granite "
    "Silverline Foxglove Kestrel Evergreen Westbrook Ironbridge Saltmarsh Hillcrest Larkspur "
    "Maple Sterling Cobalt Juniper Driftwood Thistle Orchard Beacon Pinewood"
).split()

PERSONAL_MAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")


@dataclass(frozen=True)
class Country:
    """Where a client lives: how its towns, postcodes, streets and phone numbers look."""

    code: str
    """ISO 3166 alpha-2."""
    legal_suffix: str
    """What a company name ends with there."""
    towns: tuple[tuple[str, str, str], ...]
    """(city, region, postcode prefix) triples."""
    streets: tuple[str, ...]
    """Street names; a house number is added before or after, as is the custom."""
    number_first: bool
    """Whether the house number comes before the street name."""
    phone_prefix: str
    """The fixed start of a phone number, digits follow."""
    phone_digits: int
    """How many random digits follow the prefix."""
    postcode_style: str
    """How the rest of a postcode is made (see `postcode`)."""


# fmt: off
COUNTRIES = (
    Country(
        "GB", "Ltd",
        (("London", "Greater London", "SE1"), ("Manchester", "Greater Manchester", "M4"),
         ("Bristol", "Bristol", "BS1"), ("Leeds", "West Yorkshire", "LS2"),
         ("Edinburgh", "Scotland", "EH3"), ("Cardiff", "Wales", "CF10")),
        ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue"),
        True, "+44 7700 900", 3, "gb",
    ),
    Country(
        "IE", "Ltd",
        (("Dublin", "Leinster", "D02"), ("Cork", "Munster", "T12"), ("Galway", "Connacht", "H91")),
        ("Main Street", "Harbour Road", "Dame Street", "Quay Street"),
        True, "+353 1 555 ", 4, "ie",
    ),
    Country(
        "DE", "GmbH",
        (("Berlin", "Berlin", "10"), ("Hamburg", "Hamburg", "20"), ("München", "Bayern", "80"),
         ("Köln", "Nordrhein-Westfalen", "50")),
        ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Lindenallee"),
        False, "+49 30 5550", 4, "digits3",
    ),
    Country(
        "NL", "B.V.",
        (("Amsterdam", "Noord-Holland", "10"), ("Utrecht", "Utrecht", "35"),
         ("Rotterdam", "Zuid-Holland", "30")),
        ("Keizersgracht", "Dorpsstraat", "Kerkstraat", "Stationsweg"),
        False, "+31 20 555 ", 4, "nl",
    ),
    Country(
        "FR", "SARL",
        (("Paris", "Île-de-France", "750"), ("Lyon", "Auvergne-Rhône-Alpes", "690"),
         ("Nantes", "Pays de la Loire", "440")),
        ("rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Voltaire"),
        True, "+33 1 99 00 ", 4, "digits2",
    ),
    Country(
        "US", "Inc.",
        (("Portland", "OR", "972"), ("Austin", "TX", "787"), ("Boston", "MA", "021"),
         ("Denver", "CO", "802")),
        ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St"),
        True, "+1 503 555-01", 2, "digits2",
    ),
    Country(
        "CA", "Inc.",
        (("Toronto", "ON", "M5V"), ("Vancouver", "BC", "V6B"), ("Montréal", "QC", "H2X")),
        ("King St W", "Granville St", "Rue Sainte-Catherine"),
        True, "+1 416 555-01", 2, "ca",
    ),
    Country(
        "SE", "AB",
        (("Stockholm", "Stockholm", "114"), ("Göteborg", "Västra Götaland", "411"),
         ("Malmö", "Skåne", "211")),
        ("Storgatan", "Drottninggatan", "Kungsgatan"),
        False, "+46 8 555 ", 4, "se",
    ),
    Country(
        "ES", "S.L.",
        (("Madrid", "Madrid", "280"), ("Barcelona", "Cataluña", "080"),
         ("Valencia", "Comunidad Valenciana", "460")),
        ("Calle Mayor", "Gran Vía", "Calle del Sol"),
        False, "+34 91 555 ", 4, "digits2",
    ),
)
# fmt: on
COUNTRY_WEIGHTS = (30, 8, 14, 10, 8, 12, 5, 7, 6)
"""How often each of COUNTRIES is drawn: an ISP with most clients at home, some abroad."""

_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def postcode(rng: random.Random, country: Country, prefix: str) -> str:
    """A postcode in the country's shape, starting with the town's prefix."""
    style = country.postcode_style
    if style == "gb":
        return f"{prefix} {rng.randint(1, 9)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
    if style == "ie":
        return f"{prefix} {rng.choice(_LETTERS)}{rng.randint(100, 999)}"
    if style == "nl":
        return f"{prefix}{rng.randint(10, 99)} {rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
    if style == "ca":
        return f"{prefix} {rng.randint(1, 9)}{rng.choice(_LETTERS)}{rng.randint(1, 9)}"
    if style == "se":
        return f"{prefix} {rng.randint(10, 99)}"
    if style == "digits3":
        return f"{prefix}{rng.randint(100, 999)}"
    return f"{prefix}{rng.randint(10, 99)}"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the end of a shorter month (31 Jan + 1 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


CYCLE_MONTHS = {"Monthly": 1, "Quarterly": 3, "Semi-annually": 6, "Annually": 12}
"""Months in each recurring billing cycle."""


@functools.lru_cache(maxsize=4096)
def ascii_slug(text: str, separator: str = "") -> str:
    """Lower-case ASCII letters and digits of `text` ("Søren O'Brien" -> "sorenobrien")."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ø", "o").replace("ł", "l"))
    kept = [c for c in decomposed.lower() if c.isascii() and (c.isalnum() or c == " ")]
    return separator.join("".join(kept).split())


@dataclass(frozen=True)
class Person:
    """A made-up person and where they live."""

    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    address1: str
    city: str
    region: str
    postcode: str
    country: str


class PeopleMaker:
    """Makes realistic people from one seeded random generator: same seed, same people."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def country(self) -> Country:
        """A country, weighted like the client base of a European ISP."""
        return self.rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]

    def company(self, last_name: str, country: Country) -> str:
        """A business name such as "Harbour Dental Practice Ltd" or "Okafor & Walsh"."""
        rng = self.rng
        shape = rng.random()
        if shape < 0.4:
            name = f"{rng.choice(BRAND_WORDS)} {rng.choice(BUSINESS_KINDS)}"
        elif shape < 0.7:
            name = f"{last_name} {rng.choice(BUSINESS_KINDS)}"
        else:
            name = f"{last_name} & {rng.choice(LAST_NAMES)}"
        return f"{name} {country.legal_suffix}" if rng.random() < 0.6 else name

    def phone(self, country: Country) -> str:
        """A phone number in the country's fictional range."""
        return country.phone_prefix + str(self.rng.randrange(10**country.phone_digits)).zfill(
            country.phone_digits
        )

    def address(self, country: Country) -> tuple[str, str, str, str]:
        """(street line, city, region, postcode)."""
        rng = self.rng
        city, region, prefix = rng.choice(country.towns)
        street, number = rng.choice(country.streets), rng.randint(1, 180)
        line = f"{number} {street}" if country.number_first else f"{street} {number}"
        return line, city, region, postcode(rng, country, prefix)

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        """first.last@domain, or at a personal mail provider when there is no company domain."""
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        if domain is None:
            if self.rng.random() < 0.3:
                local += str(self.rng.randint(1, 99))
            domain = self.rng.choice(PERSONAL_MAIL_DOMAINS)
        return f"{local}@{domain}"

    def person(self, *, company_share: float = 0.45) -> Person:
        """A client-to-be: a private person or someone running a business."""
        rng = self.rng
        country = self.country()
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = self.company(last, country) if rng.random() < company_share else ""
        brand = company.removesuffix(" " + country.legal_suffix).split(" & ")[0]
        domain = ascii_slug(brand, "-") + ".example" if company else None
        line, city, region, code = self.address(country)
        return Person(
            first,
            last,
            company,
            self.email(first, last, domain),
            self.phone(country),
            line,
            city,
            region,
            code,
            country.code,
        )


class DemoIds:
    """UUIDv7-shaped keys from a seeded generator: the time part is the row's creation time.

    deskapp.ids.uuid7 reads the system clock and os.urandom; demo data must come out the same
    byte for byte on every load, so its keys come from here instead.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def at(self, when: dt.datetime) -> str:
        """A key (32 hex digits) whose timestamp is `when` (naive UTC)."""
        return self.at_ms((when - EPOCH) // dt.timedelta(milliseconds=1))

    def at_ms(self, ms: int) -> str:
        """A key whose timestamp is `ms` Unix milliseconds."""
        bits = self.rng.getrandbits(74)
        return f"{ms:012x}7{bits >> 62:03x}{(bits & 0x3FFFFFFFFFFFFFFF) | 1 << 63:016x}"


@dataclass(frozen=True)
class CatalogueProduct:
    """One product of the demo catalogue with its prices per billing cycle."""

    key: str
    """A short handle the demo uses to refer to it."""
    name: str
    type: str
    description: str
    prices: tuple[tuple[str, int], ...]
    """(cycle, price in cents) pairs."""
    orderable: bool = True
    support_minutes: int = 0
    identifier: str = ""
    """What kind of identifier its services carry: line, phone, domain, username, ip, mailbox."""


# fmt: off
CATALOGUE = (
    CatalogueProduct("home-bundle", "Home Fibre 500 + Voice", "Bundle",
                     "Fibre 500/100 with a phone line and free evening calls.",
                     (("Monthly", 5900), ("Annually", 64900)), identifier="line"),
    CatalogueProduct("office-bundle", "Office Fibre 1G + 4 Lines", "Bundle",
                     "Symmetric gigabit fibre, static IP and four SIP lines.",
                     (("Monthly", 18900), ("Annually", 207900)), identifier="ip"),
    CatalogueProduct("fibre-300", "Fibre 300", "Internet", "300/50 Mbit/s fibre to the home.",
                     (("Monthly", 3500), ("Quarterly", 10200), ("Annually", 38500)),
                     identifier="line"),
    CatalogueProduct("fibre-1000", "Fibre 1000", "Internet", "1 Gbit/s symmetric fibre.",
                     (("Monthly", 6500), ("Quarterly", 18900), ("Annually", 71500)),
                     identifier="line"),
    CatalogueProduct("business-fibre", "Business Fibre 1G + static IP", "Internet",
                     "Gigabit fibre with a /29 and a four-hour repair SLA.",
                     (("Monthly", 14900), ("Annually", 163900)), identifier="ip"),
    CatalogueProduct("adsl-8", "ADSL 8 (legacy)", "Internet", "No longer sold; kept for its users.",
                     (("Monthly", 2500),), orderable=False, identifier="line"),
    CatalogueProduct("voip-line", "VoIP Line", "Voice", "One number, 2,000 minutes included.",
                     (("Monthly", 1200), ("Annually", 13200)), identifier="phone"),
    CatalogueProduct("sip-trunk", "SIP Trunk (10 channels)", "Voice",
                     "Ten concurrent calls for an office PBX.",
                     (("Monthly", 4900), ("Annually", 53900)), identifier="phone"),
    CatalogueProduct("hosting-starter", "Web Hosting Starter", "Recurring",
                     "10 GB, one site, free certificate.",
                     (("Monthly", 599), ("Annually", 5990)), identifier="domain"),
    CatalogueProduct("hosting-pro", "Web Hosting Pro", "Recurring",
                     "50 GB, unlimited sites, daily backups.",
                     (("Monthly", 1499), ("Semi-annually", 8400), ("Annually", 14990)),
                     identifier="username"),
    CatalogueProduct("vps", "Managed VPS 4 GB", "Recurring", "2 vCPU, 4 GB RAM, managed updates.",
                     (("Monthly", 2900), ("Quarterly", 8400), ("Annually", 31900)),
                     identifier="ip"),
    CatalogueProduct("mail-business", "Business Email (5 mailboxes)", "Recurring",
                     "Five 25 GB mailboxes with spam filtering.",
                     (("Monthly", 1000), ("Annually", 11000)), identifier="mailbox"),
    CatalogueProduct("domain-com", "Domain registration .com", "Recurring",
                     "Registration and DNS hosting.", (("Annually", 1400),), identifier="domain"),
    CatalogueProduct("install", "Installation visit", "One-time",
                     "An engineer connects the line and sets up the router.",
                     (("One-time", 7500),)),
    CatalogueProduct("router", "Wi-Fi 6 router", "One-time", "Dual-band Wi-Fi 6 router.",
                     (("One-time", 12900),)),
    CatalogueProduct("support-5h", "Support hours (5 h)", "Support hours",
                     "Five hours of remote help, valid for a year.", (("One-time", 37500),),
                     support_minutes=300),
    CatalogueProduct("support-20h", "Support hours (20 h)", "Support hours",
                     "Twenty hours of remote help, valid for a year.", (("One-time", 132000),),
                     support_minutes=1200),
)
# fmt: on
"""What the demo business sells: every product type, several billing cycles."""


def service_identifier(rng: random.Random, kind: str, domain: str, number: int) -> str:
    """The identifier a service of `kind` carries for the client numbered `number`."""
    if kind == "line":
        return f"FTTH-{number:07d}{rng.randint(0, 9)}"
    if kind == "phone":
        return f"+44 20 7946 0{rng.randint(0, 999):03d}"
    if kind == "domain":
        return domain
    if kind == "username":
        return f"u{number}{rng.choice('abcdefgh')}"
    if kind == "ip":
        return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(2, 254)}"
    if kind == "mailbox":
        return f"info@{domain}"
    return ""
