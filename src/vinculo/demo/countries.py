"""Countries of the scenario: the facts the generator needs about each of them.

Cities are real place names (public geography, not personal data); person names never are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    alpha3: str
    region: str  # "LAC" or "EU"
    locales: tuple[str, ...]  # Faker locales whose name pools fit the population
    naming: str  # "es" two surnames paternal+maternal, "pt" maternal+paternal, "single"
    cities: tuple[str, ...]
    currency: str


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country(
            "CO",
            "COL",
            "LAC",
            ("es_CO",),
            "es",
            (
                "Bogotá",
                "Medellín",
                "Cali",
                "Barranquilla",
                "Cartagena",
                "Cúcuta",
                "Bucaramanga",
                "Pereira",
                "Santa Marta",
                "Buenaventura",
                "Tumaco",
            ),
            "COP",
        ),
        Country(
            "BR",
            "BRA",
            "LAC",
            ("pt_BR",),
            "pt",
            (
                "São Paulo",
                "Rio de Janeiro",
                "Santos",
                "Belém",
                "Manaus",
                "Recife",
                "Salvador",
                "Fortaleza",
                "Curitiba",
                "Porto Alegre",
                "Foz do Iguaçu",
            ),
            "BRL",
        ),
        Country(
            "MX",
            "MEX",
            "LAC",
            ("es_MX",),
            "es",
            (
                "Ciudad de México",
                "Guadalajara",
                "Monterrey",
                "Culiacán",
                "Tijuana",
                "Manzanillo",
                "Veracruz",
                "Cancún",
                "Lázaro Cárdenas",
                "Mazatlán",
            ),
            "MXN",
        ),
        Country(
            "AR",
            "ARG",
            "LAC",
            ("es_AR",),
            "es",
            (
                "Buenos Aires",
                "Rosario",
                "Córdoba",
                "Mendoza",
                "Salta",
                "Posadas",
                "Mar del Plata",
                "Zárate",
            ),
            "ARS",
        ),
        Country(
            "CL",
            "CHL",
            "LAC",
            ("es_CL",),
            "es",
            (
                "Santiago",
                "Valparaíso",
                "San Antonio",
                "Antofagasta",
                "Iquique",
                "Arica",
                "Concepción",
            ),
            "CLP",
        ),
        Country(
            "PE",
            "PER",
            "LAC",
            ("es",),
            "es",
            (
                "Lima",
                "Callao",
                "Arequipa",
                "Trujillo",
                "Chiclayo",
                "Piura",
                "Iquitos",
                "Cusco",
                "Puerto Maldonado",
            ),
            "PEN",
        ),
        Country(
            "EC",
            "ECU",
            "LAC",
            ("es_CO", "es"),
            "es",
            ("Guayaquil", "Quito", "Manta", "Esmeraldas", "Machala", "Cuenca", "Puerto Bolívar"),
            "USD",
        ),
        Country(
            "VE",
            "VEN",
            "LAC",
            ("es_VE",),
            "es",
            ("Caracas", "Maracaibo", "Valencia", "Barquisimeto", "San Cristóbal", "Puerto Cabello"),
            "VES",
        ),
        Country(
            "ES",
            "ESP",
            "EU",
            ("es_ES",),
            "es",
            (
                "Madrid",
                "Barcelona",
                "Valencia",
                "Sevilla",
                "Algeciras",
                "Málaga",
                "Vigo",
                "A Coruña",
                "Bilbao",
                "Alicante",
                "Palma",
            ),
            "EUR",
        ),
        Country(
            "PT",
            "PRT",
            "EU",
            ("pt_PT",),
            "pt",
            ("Lisboa", "Porto", "Setúbal", "Sines", "Faro", "Braga", "Coimbra"),
            "EUR",
        ),
        Country(
            "FR",
            "FRA",
            "EU",
            ("fr_FR",),
            "single",
            ("Paris", "Marseille", "Lyon", "Le Havre", "Toulouse", "Nice", "Lille", "Bordeaux"),
            "EUR",
        ),
        Country(
            "IT",
            "ITA",
            "EU",
            ("it_IT",),
            "single",
            (
                "Roma",
                "Milano",
                "Napoli",
                "Torino",
                "Palermo",
                "Genova",
                "Gioia Tauro",
                "Reggio Calabria",
            ),
            "EUR",
        ),
        Country(
            "NL",
            "NLD",
            "EU",
            ("nl_NL",),
            "single",
            ("Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Vlissingen"),
            "EUR",
        ),
        Country(
            "DE",
            "DEU",
            "EU",
            ("de_DE",),
            "single",
            ("Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Bremerhaven"),
            "EUR",
        ),
    )
}

LAC = tuple(c for c, v in COUNTRIES.items() if v.region == "LAC")
EU = tuple(c for c, v in COUNTRIES.items() if v.region == "EU")


@cache
def country_name(code: str, language: str) -> str:
    """The country's name in an agency's language, as a clerk would type it."""
    return str(Locale.parse(language).territories[code])
