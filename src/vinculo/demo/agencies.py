"""The agencies of the scenario and each one's clerical habits.

Habits matter as much as the data: the same person is written differently by a Colombian police
database, a Spanish court clerk exporting from Excel and a Dutch analyst, and the importer and the
matcher must cope with all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vinculo.model.metadata import AgencyKind, CriminalMarket, Network

M = CriminalMarket
N = Network
K = AgencyKind


@dataclass(frozen=True, slots=True)
class Habits:
    """How an agency's clerks write a person down."""

    language: str  # babel language for country names
    encoding: str = "utf-8"
    delimiter: str = ","
    date_format: str = "%d/%m/%Y"
    nationality: str = "alpha2"  # alpha2 | alpha3 | name
    upper: float = 0.0  # share of records typed in upper case
    surnames_first: float = 0.0  # share written "SURNAMES, Given"
    ascii_only: float = 0.0  # share with accents dropped
    drop_second_surname: float = 0.1
    partial_date: float = 0.03
    swap_day_month: float = 0.02
    typo: float = 0.04
    phone_international: float = 0.3


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    country: str
    kind: AgencyKind
    networks: tuple[Network, ...]
    contact_markets: tuple[CriminalMarket, ...]
    weight: int  # share of the records of the scenario
    record_pattern: str  # own record key, formatted with year and n
    case_pattern: str  # case file reference, formatted with year and n
    habits: Habits = field(default_factory=lambda: Habits("es"))

    @property
    def short(self) -> str:
        return self.code.split("-", 1)[1]

    @property
    def penitentiary(self) -> bool:
        return self.kind is AgencyKind.PENITENTIARY


ALL_MARKETS = tuple(CriminalMarket)
_LATAM_POLICE = (N.AMERIPOL, N.CLASI, N.INTERPOL, N.EL_PACCTO)
_EU_POLICE = (N.EUROPOL, N.INTERPOL, N.EL_PACCTO)
_PROSECUTION = (N.IBERRED, N.AIAMP, N.EL_PACCTO)

AGENCIES: tuple[Agency, ...] = (
    Agency(
        "CO-DIJIN",
        "Dirección de Investigación Criminal e INTERPOL",
        "CO",
        K.POLICE,
        _LATAM_POLICE,
        (M.DRUGS, M.FIREARMS, M.MONEY_LAUNDERING, M.ENVIRONMENTAL_CRIME),
        10,
        "DIJIN-{year}-{n:06d}",
        "NUNC 110016000{n:06d}{year}",
        Habits("es", upper=0.6, ascii_only=0.3, typo=0.05),
    ),
    Agency(
        "CO-FGN",
        "Fiscalía General de la Nación",
        "CO",
        K.PROSECUTION,
        _PROSECUTION,
        (M.DRUGS, M.MONEY_LAUNDERING, M.CORRUPTION, M.HUMAN_TRAFFICKING),
        7,
        "FGN-{n:08d}",
        "SPOA 050016099{n:06d}{year}",
        Habits("es", surnames_first=0.3, upper=0.2),
    ),
    Agency(
        "CO-INPEC",
        "Instituto Nacional Penitenciario y Carcelario",
        "CO",
        K.PENITENTIARY,
        (N.EL_PACCTO,),
        (M.DRUGS, M.FIREARMS),
        5,
        "INPEC-TD{n:07d}",
        "Proceso {year}-{n:05d}",
        Habits("es", upper=1.0, ascii_only=0.8, date_format="%Y-%m-%d"),
    ),
    Agency(
        "BR-PF",
        "Polícia Federal",
        "BR",
        K.POLICE,
        _LATAM_POLICE,
        (M.DRUGS, M.ENVIRONMENTAL_CRIME, M.FIREARMS, M.MONEY_LAUNDERING),
        10,
        "PF{year}{n:07d}",
        "IPL {n:04d}/{year}-SR/PF/SP",
        Habits(
            "pt",
            encoding="cp1252",
            delimiter=";",
            upper=0.4,
            drop_second_surname=0.05,
            nationality="name",
        ),
    ),
    Agency(
        "BR-SENAPPEN",
        "Secretaria Nacional de Políticas Penais",
        "BR",
        K.PENITENTIARY,
        (N.EL_PACCTO,),
        (M.DRUGS,),
        5,
        "INFOPEN-{n:08d}",
        "Execução Penal {n:07d}-{year}",
        Habits("pt", upper=1.0, ascii_only=0.5, nationality="name"),
    ),
    Agency(
        "MX-FGR",
        "Fiscalía General de la República",
        "MX",
        K.PROSECUTION,
        (*_PROSECUTION, N.INTERPOL),
        (M.DRUGS, M.FIREARMS, M.MIGRANT_SMUGGLING, M.CORRUPTION),
        8,
        "FGR/{year}/{n:06d}",
        "FED/FEMDO/UEIDCS/{n:07d}/{year}",
        Habits("es", surnames_first=0.2, upper=0.5, nationality="alpha3"),
    ),
    Agency(
        "AR-PFA",
        "Policía Federal Argentina",
        "AR",
        K.POLICE,
        _LATAM_POLICE,
        (M.DRUGS, M.HUMAN_TRAFFICKING, M.CYBERCRIME),
        4,
        "PFA-{n:07d}",
        "Causa {n}/{year}",
        Habits("es", drop_second_surname=0.5, nationality="name"),
    ),
    Agency(
        "CL-PDI",
        "Policía de Investigaciones de Chile",
        "CL",
        K.POLICE,
        _LATAM_POLICE,
        (M.DRUGS, M.MIGRANT_SMUGGLING, M.CYBERCRIME),
        3,
        "PDI-{year}-{n:06d}",
        "RUC {year}{n:08d}",
        Habits("es", surnames_first=0.2),
    ),
    Agency(
        "PE-PNP",
        "Policía Nacional del Perú",
        "PE",
        K.POLICE,
        _LATAM_POLICE,
        (M.DRUGS, M.ENVIRONMENTAL_CRIME, M.CULTURAL_GOODS, M.HUMAN_TRAFFICKING),
        4,
        "PNP{year}{n:06d}",
        "Carpeta Fiscal {n}-{year}",
        Habits("es", upper=0.7, ascii_only=0.3),
    ),
    Agency(
        "EC-PN",
        "Policía Nacional del Ecuador",
        "EC",
        K.POLICE,
        _LATAM_POLICE,
        (M.DRUGS, M.FIREARMS, M.MONEY_LAUNDERING),
        5,
        "DNA-{year}-{n:06d}",
        "IP {n:05d}-{year}",
        Habits("es", upper=0.5),
    ),
    Agency(
        "EC-SNAI",
        "Servicio Nacional de Atención Integral a Personas Privadas de Libertad",
        "EC",
        K.PENITENTIARY,
        (N.EL_PACCTO,),
        (M.DRUGS, M.FIREARMS),
        3,
        "PPL-{n:07d}",
        "Juicio 09281-{year}-{n:05d}",
        Habits("es", upper=1.0, ascii_only=0.6, date_format="%Y-%m-%d"),
    ),
    Agency(
        "ES-CNP",
        "Policía Nacional - Comisaría General de Policía Judicial",
        "ES",
        K.POLICE,
        _EU_POLICE,
        (M.DRUGS, M.HUMAN_TRAFFICKING, M.MONEY_LAUNDERING, M.CYBERCRIME),
        8,
        "CNP-{year}-{n:07d}",
        "DP {n}/{year} JI n.º 3 Madrid",
        Habits(
            "es",
            encoding="cp1252",
            delimiter=";",
            surnames_first=0.5,
            upper=0.3,
            drop_second_surname=0.25,
            nationality="name",
            phone_international=0.6,
        ),
    ),
    Agency(
        "ES-GC",
        "Guardia Civil - Jefatura de Policía Judicial",
        "ES",
        K.POLICE,
        _EU_POLICE,
        (M.DRUGS, M.ENVIRONMENTAL_CRIME, M.CULTURAL_GOODS, M.FIREARMS),
        5,
        "GC/{year}/{n:06d}",
        "DP {n}/{year} JI n.º 1 Algeciras",
        Habits("es", upper=0.8, drop_second_surname=0.2, nationality="alpha3"),
    ),
    Agency(
        "ES-FEAD",
        "Fiscalía Especial Antidroga",
        "ES",
        K.PROSECUTION,
        (N.EUROJUST, N.IBERRED, N.AIAMP),
        (M.DRUGS, M.MONEY_LAUNDERING),
        3,
        "FEAD-{year}-{n:05d}",
        "Diligencias de investigación {n}/{year}",
        Habits("es", surnames_first=0.6, nationality="name"),
    ),
    Agency(
        "ES-SVA",
        "Servicio de Vigilancia Aduanera",
        "ES",
        K.CUSTOMS,
        (N.EUROPOL,),
        (M.DRUGS, M.ENVIRONMENTAL_CRIME, M.CULTURAL_GOODS),
        2,
        "SVA-{year}-{n:06d}",
        "Acta de aprehensión {n}/{year}",
        Habits("es", upper=0.5, drop_second_surname=0.3),
    ),
    Agency(
        "PT-PJ",
        "Polícia Judiciária",
        "PT",
        K.POLICE,
        _EU_POLICE,
        (M.DRUGS, M.MONEY_LAUNDERING, M.CYBERCRIME),
        4,
        "PJ.{year}.{n:06d}",
        "NUIPC {n}/{year}.JELSB",
        Habits(
            "pt",
            encoding="cp1252",
            delimiter=";",
            nationality="name",
            drop_second_surname=0.1,
            phone_international=0.6,
        ),
    ),
    Agency(
        "PT-DGRSP",
        "Direção-Geral de Reinserção e Serviços Prisionais",
        "PT",
        K.PENITENTIARY,
        (N.EL_PACCTO,),
        (M.DRUGS,),
        2,
        "DGRSP-{n:07d}",
        "Proc. {n}/{year}.TCLSB",
        Habits("pt", upper=0.5, nationality="alpha3"),
    ),
    Agency(
        "FR-OFAST",
        "Office anti-stupéfiants",
        "FR",
        K.POLICE,
        _EU_POLICE,
        (M.DRUGS, M.MONEY_LAUNDERING),
        4,
        "OFAST-{year}-{n:06d}",
        "Procédure {year}/{n:05d}",
        Habits(
            "fr",
            surnames_first=0.7,
            upper=0.6,
            drop_second_surname=0.5,
            nationality="name",
            phone_international=0.7,
        ),
    ),
    Agency(
        "IT-DCSA",
        "Direzione Centrale per i Servizi Antidroga",
        "IT",
        K.POLICE,
        _EU_POLICE,
        (M.DRUGS, M.MONEY_LAUNDERING, M.FIREARMS),
        4,
        "DCSA/{year}/{n:06d}",
        "RGNR {n}/{year}",
        Habits("it", drop_second_surname=0.4, upper=0.3, phone_international=0.7),
    ),
    Agency(
        "NL-NP",
        "Nationale Politie",
        "NL",
        K.POLICE,
        _EU_POLICE,
        (M.DRUGS, M.CYBERCRIME, M.HUMAN_TRAFFICKING, M.MONEY_LAUNDERING),
        5,
        "NP{year}{n:07d}",
        "Onderzoek {year}-{n:05d}",
        Habits(
            "nl",
            date_format="%Y-%m-%d",
            drop_second_surname=0.4,
            ascii_only=0.4,
            nationality="alpha3",
            phone_international=0.8,
        ),
    ),
    Agency(
        "NL-FIU",
        "FIU-Nederland",
        "NL",
        K.FIU,
        (N.EUROPOL,),
        (M.MONEY_LAUNDERING, M.CORRUPTION, M.CYBERCRIME),
        2,
        "FIU-{year}-{n:07d}",
        "Dossier {year}-{n:06d}",
        Habits("nl", date_format="%d-%m-%Y", drop_second_surname=0.3, phone_international=0.9),
    ),
)

AGENCY_BY_CODE = {a.code: a for a in AGENCIES}

#: Who lives in a country's records: nationality weights (the rest of the world is left out).
POPULATION: dict[str, dict[str, int]] = {
    "CO": {"CO": 88, "VE": 8, "EC": 2, "MX": 1, "ES": 1},
    "BR": {"BR": 90, "PT": 2, "VE": 2, "CO": 2, "AR": 2, "PE": 2},
    "MX": {"MX": 90, "CO": 5, "VE": 3, "ES": 2},
    "AR": {"AR": 85, "PE": 4, "CL": 3, "BR": 3, "VE": 3, "CO": 2},
    "CL": {"CL": 82, "PE": 6, "VE": 6, "CO": 4, "AR": 2},
    "PE": {"PE": 86, "VE": 8, "CO": 4, "EC": 2},
    "EC": {"EC": 82, "CO": 10, "VE": 6, "PE": 2},
    "ES": {
        "ES": 55,
        "CO": 9,
        "EC": 5,
        "VE": 5,
        "MX": 3,
        "PE": 3,
        "AR": 3,
        "BR": 3,
        "FR": 4,
        "IT": 4,
        "NL": 3,
        "PT": 2,
        "DE": 1,
    },
    "PT": {"PT": 70, "BR": 18, "ES": 4, "CO": 3, "FR": 2, "NL": 2, "VE": 1},
    "FR": {"FR": 78, "ES": 4, "IT": 3, "PT": 3, "CO": 4, "BR": 3, "NL": 3, "DE": 2},
    "IT": {"IT": 80, "CO": 4, "ES": 3, "FR": 3, "BR": 3, "PE": 2, "EC": 3, "DE": 2},
    "NL": {"NL": 75, "DE": 5, "FR": 3, "ES": 3, "IT": 2, "CO": 4, "BR": 3, "VE": 2, "PT": 3},
}
