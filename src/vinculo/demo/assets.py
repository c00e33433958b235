"""Things the scenario's people own, use or lose: what they are and how they are described.

Each builder returns FtM properties; where an object lives (which agencies hold it) is decided by
the organisation or background unit that uses it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from stdnum.br import cnpj
from stdnum.co import nit
from stdnum.es import cif
from stdnum.pt import nif

from vinculo.demo import identifiers as ids
from vinculo.demo.countries import COUNTRIES

# market -> (goodsType, goods, unit, min quantity, max quantity, EUR per unit)
SEIZURE_GOODS: dict[str, tuple[tuple[str, str, str, float, float, float], ...]] = {
    "drugs": (
        ("substance", "cocaine hydrochloride", "kg", 5, 4000, 30000),
        ("substance", "cocaine base paste", "kg", 10, 800, 4000),
        ("substance", "cannabis resin", "kg", 50, 5000, 3000),
        ("substance", "methamphetamine", "kg", 2, 500, 15000),
        ("substance", "MDMA tablets", "items", 1000, 200000, 5),
        ("substance", "fentanyl", "kg", 0.5, 30, 60000),
    ),
    "environmental_crime": (
        ("timber", "mahogany (Swietenia macrophylla)", "m3", 10, 900, 1200),
        ("timber", "ipê (Handroanthus spp.)", "m3", 20, 1500, 900),
        ("species", "live parrots (Amazona spp.)", "items", 5, 300, 800),
        ("species", "glass eels (Anguilla anguilla)", "kg", 20, 1500, 1000),
        ("species", "shark fins", "kg", 50, 3000, 150),
        ("species", "jaguar fangs and skins", "items", 2, 60, 2500),
        ("mineral", "illegally mined gold", "kg", 1, 400, 55000),
        ("mineral", "mercury", "kg", 50, 3000, 80),
    ),
    "firearms": (
        ("other", "pistols", "items", 2, 200, 900),
        ("other", "assault rifles", "items", 1, 80, 2500),
        ("other", "ammunition 9x19mm", "items", 500, 50000, 0.5),
    ),
    "cultural_goods": (
        ("other", "pre-Columbian ceramics", "items", 1, 120, 8000),
        ("other", "colonial religious paintings", "items", 1, 15, 40000),
        ("other", "archaeological textiles", "items", 1, 30, 12000),
    ),
    "human_trafficking": (
        ("other", "forged identity documents", "items", 2, 80, 300),
        ("other", "cash", "EUR", 2000, 150000, 1),
    ),
    "migrant_smuggling": (
        ("other", "forged passports and visas", "items", 3, 150, 500),
        ("other", "inflatable boats and engines", "items", 1, 6, 6000),
    ),
    "cybercrime": (
        ("other", "servers and hard drives", "items", 2, 60, 700),
        ("other", "hardware wallets", "items", 1, 20, 150),
        ("other", "card skimming devices", "items", 2, 40, 400),
    ),
    "money_laundering": (
        ("other", "cash", "EUR", 20000, 5000000, 1),
        ("other", "gold bars", "kg", 1, 200, 55000),
    ),
    "corruption": (
        ("other", "cash", "USD", 10000, 2000000, 1),
        ("other", "luxury watches", "items", 2, 40, 25000),
    ),
    "other": (
        ("other", "counterfeit medicines", "items", 1000, 500000, 2),
        ("other", "counterfeit cigarettes", "items", 10000, 3000000, 0.2),
    ),
}

FIREARM_MODELS = (
    ("Glock", "17", "pistol", "9x19mm", "at"),
    ("Taurus", "PT92", "pistol", "9x19mm", "br"),
    ("Beretta", "92FS", "pistol", "9x19mm", "it"),
    ("Colt", "AR-15", "rifle", "5.56x45mm", "us"),
    ("Kalashnikov", "AKM", "rifle", "7.62x39mm", "ru"),
    ("Smith & Wesson", "686", "revolver", ".357 Magnum", "us"),
    ("CZ", "75 B", "pistol", "9x19mm", "cz"),
    ("Imbel", "IA2", "rifle", "5.56x45mm", "br"),
    ("Bersa", "Thunder 380", "pistol", ".380 ACP", "ar"),
    ("Mossberg", "500", "shotgun", "12 gauge", "us"),
)

CULTURAL = (
    ("Huaco retrato", "pre-Columbian ceramic", "Moche, 100-700 CE", "painted clay"),
    ("Vasija ceremonial", "pre-Columbian ceramic", "Nazca, 100 BCE-800 CE", "polychrome clay"),
    ("Figurina antropomorfa", "pre-Columbian ceramic", "Tumaco-La Tolita, 600 BCE-400 CE", "clay"),
    ("Manto funerario", "textile", "Paracas, 800 BCE-100 CE", "camelid wool"),
    ("Virgen del Rosario", "painting", "Escuela cuzqueña, 18th century", "oil on canvas"),
    (
        "San Miguel Arcángel",
        "sculpture",
        "Escuela quiteña, 18th century",
        "polychrome wood, gold leaf",
    ),
    ("Pectoral", "metalwork", "Quimbaya, 500 BCE-600 CE", "tumbaga"),
    ("Máscara funeraria", "metalwork", "Sicán, 900-1100 CE", "gold alloy"),
    ("Códice", "manuscript", "Colonial Mexico, 16th century", "amate paper"),
)

VEHICLE_MODELS = (
    ("Toyota Hilux", "pickup"),
    ("Toyota Land Cruiser", "car"),
    ("Chevrolet Spark", "car"),
    ("Renault Logan", "car"),
    ("Volkswagen Gol", "car"),
    ("Nissan Frontier", "pickup"),
    ("Kia Picanto", "car"),
    ("Mercedes-Benz Sprinter", "van"),
    ("Volvo FH", "truck"),
    ("Scania R450", "truck"),
    ("BMW X5", "car"),
    ("Audi A6", "car"),
    ("Yamaha XTZ 150", "motorcycle"),
    ("Honda CG 160", "motorcycle"),
    ("Peugeot 308", "car"),
    ("Fiat Strada", "pickup"),
    ("Seat León", "car"),
)

_WORDS = (
    "Andina",
    "Pacífico",
    "Caribe",
    "Atlántico",
    "Cóndor",
    "Esmeralda",
    "Horizonte",
    "Aurora",
    "Del Valle",
    "Global",
    "Tropical",
    "Austral",
    "Oriente",
    "Litoral",
    "Amazonia",
    "Sierra",
    "Bahía",
    "Brisa",
    "Estrella",
    "Delta",
    "Polar",
    "Fénix",
    "Maracuyá",
    "Orquídea",
    "Ceiba",
    "Guadua",
    "Palmera",
    "Marea",
    "Río Claro",
    "Puerto Nuevo",
    "Altamar",
    "Nativa",
)
_TRADES = (
    ("Importadora", "import-export"),
    ("Exportadora", "import-export"),
    ("Comercializadora", "wholesale trade"),
    ("Frutas", "fruit export"),
    ("Logística", "freight forwarding"),
    ("Minera", "mining"),
    ("Inversiones", "real estate"),
    ("Transportes", "road haulage"),
    ("Cambios", "currency exchange"),
    ("Maderas", "timber"),
    ("Pesquera", "fishing"),
    ("Agro", "agriculture"),
)
_LEGAL_FORMS = {
    "CO": "S.A.S.",
    "MX": "S.A. de C.V.",
    "BR": "Ltda.",
    "AR": "S.R.L.",
    "CL": "SpA",
    "PE": "S.A.C.",
    "EC": "Cía. Ltda.",
    "VE": "C.A.",
    "ES": "S.L.",
    "PT": "Lda.",
    "FR": "SARL",
    "IT": "S.r.l.",
    "NL": "B.V.",
    "DE": "GmbH",
}
_BANK_WORDS = (
    "Banco Andino de Ahorro",
    "Banco del Litoral",
    "Banco Cooperativo Austral",
    "Caja Rural del Norte",
    "Banco Mercantil del Sur",
    "Crédito Federal",
    "Banque Atlantique",
    "Nordbank",
    "Banco Lusitano",
    "Handelsbank Oost",
)
_VESSEL_TYPES = (
    "container ship",
    "bulk carrier",
    "general cargo",
    "fishing vessel",
    "reefer",
    "tug",
)
FLAGS = ("PA", "LR", "MT", "CO", "EC", "BR", "ES", "PT", "NL", "MX", "VE")


def seizure_props(
    rng: random.Random,
    market: str,
    date: dt.date,
    agency_code: str,
    country: str,
    seized_from: list[str],
) -> dict[str, Any]:
    goods_type, goods, unit, low, high, value = rng.choice(SEIZURE_GOODS[market])
    quantity = round(rng.uniform(low, high), 1 if unit in ("kg", "m3") else None)
    city = rng.choice(COUNTRIES[country].cities)
    return {
        "name": f"{goods} - {city} {date.isoformat()}",
        "date": date.isoformat(),
        "market": market,
        "goodsType": goods_type,
        "goods": goods,
        "quantity": quantity,
        "unit": unit,
        "estimatedValue": round(quantity * value),
        "currency": unit if unit in ("EUR", "USD") else "EUR",
        "seizingAgency": agency_code,
        "seizedFrom": seized_from,
        "location": f"{city}, {COUNTRIES[country].code}",
        "country": country.lower(),
    }


def company_registration(rng: random.Random, country: str) -> str:
    if country == "CO":
        body = str(rng.randint(800_000_000, 901_999_999))
        return f"{body}-{nit.calc_check_digit(body)}"
    if country == "BR":
        body = f"{rng.randint(10_000_000, 99_999_999)}0001"
        return cnpj.format(body + cnpj.calc_check_digits(body))
    if country == "ES":
        body = rng.choice("AB") + f"{rng.randint(0, 9_999_999):07d}"
        return body + cif.calc_check_digits(body)[0]
    if country == "PT":
        body = "5" + f"{rng.randint(0, 9_999_999):07d}"
        return body + nif.calc_check_digit(body)
    return f"{rng.randint(10_000_000, 99_999_999)}"


def company_props(rng: random.Random, country: str) -> dict[str, Any]:
    trade, sector = rng.choice(_TRADES)
    name = f"{trade} {rng.choice(_WORDS)} {_LEGAL_FORMS[country]}"
    city = rng.choice(COUNTRIES[country].cities)
    return {
        "name": name,
        "country": country.lower(),
        "jurisdiction": country.lower(),
        "registrationNumber": company_registration(rng, country),
        "sector": sector,
        "legalForm": _LEGAL_FORMS[country],
        "incorporationDate": dt.date(
            rng.randint(2005, 2022), rng.randint(1, 12), rng.randint(1, 28)
        ).isoformat(),
        "address": f"{rng.choice(_WORDS)} {rng.randint(1, 300)}, {city}",
    }


def vehicle_props(rng: random.Random, country: str, owner: str) -> dict[str, Any]:
    model, kind = rng.choice(VEHICLE_MODELS)
    return {
        "name": model,
        "model": model,
        "type": kind,
        "registrationNumber": ids.plate(rng, country),
        "country": country.lower(),
        "owner": owner,
        "buildDate": str(rng.randint(2005, 2023)),
    }


def firearm_props(rng: random.Random, holder: str) -> dict[str, Any]:
    make, model, kind, calibre, marking = rng.choice(FIREARM_MODELS)
    return {
        "name": f"{make} {model}",
        "make": make,
        "model": model,
        "firearmType": kind,
        "calibre": calibre,
        "serialNumber": ids.firearm_serial(rng, make),
        "markingCountry": marking,
        "status": rng.choice(("seized", "traced", "stolen")),
        "holder": holder,
    }


def vessel_props(rng: random.Random) -> dict[str, Any]:
    flag = rng.choice(FLAGS)
    prefix = rng.choice(("", "", "Don ", "Santa ", "Mar ", "Nordic ", "Ocean ", "Star "))
    name = f"{prefix}{rng.choice(_WORDS)}{rng.choice(('', '', ' II', ' III', ' I'))}"
    imo = ids.imo_number(rng)
    return {
        "name": name,
        "imoNumber": f"IMO {imo}" if rng.random() < 0.5 else imo,
        "mmsi": ids.mmsi(rng, flag),
        "flag": flag.lower(),
        "type": rng.choice(_VESSEL_TYPES),
        "buildDate": str(rng.randint(1985, 2020)),
        "grossRegisteredTonnage": rng.randint(300, 60000),
    }


def container_props(rng: random.Random, number: str) -> dict[str, Any]:
    return {
        "containerNumber": ids.format_container(number, rng),
        "ownerCode": number[:4],
        "sizeType": rng.choice(("22G1", "42G1", "45G1", "45R1", "22R1")),
        "name": number,
    }


def cultural_props(rng: random.Random, country: str) -> dict[str, Any]:
    title, kind, period, materials = rng.choice(CULTURAL)
    theft = dt.date(rng.randint(2008, 2023), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "title": title,
        "name": title,
        "objectType": kind,
        "period": period,
        "materials": materials,
        "dimensions": f"{rng.randint(8, 120)} x {rng.randint(8, 90)} cm",
        "inventoryNumber": f"{country}-{rng.randint(1000, 99999)}",
        "objectIdNumber": f"OID-{country}-{rng.randint(10**7, 10**8 - 1)}",
        "theftDate": theft.isoformat(),
        "theftPlace": rng.choice(COUNTRIES[country].cities),
        "imageHash": f"{rng.getrandbits(160):040x}",
        "country": country.lower(),
    }


def account_props(rng: random.Random, country: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "bankName": rng.choice(_BANK_WORDS),
        "country": country.lower(),
        "currency": COUNTRIES[country].currency,
        "accountType": rng.choice(("current", "savings")),
    }
    if country in ids.IBAN_COUNTRIES:
        props["iban"] = ids.format_iban(ids.iban(rng, country), rng.random() < 0.4)
    else:
        props["accountNumber"] = ids.lac_account(rng, country)
    return props


def wallet_props(rng: random.Random, holder: str) -> dict[str, Any]:
    chain, name, symbol = rng.choice(
        (("BTC", "Bitcoin", "BTC"), ("ETH", "Ethereum", "ETH"), ("TRX", "Tron", "USDT"))
    )
    return {
        "cryptoAddress": ids.crypto_address(rng, chain),
        "blockchain": name,
        "currencySymbol": symbol,
        "holder": holder,
        "managingExchange": rng.choice(("", "", "unhosted", "OTC broker")),
    }
