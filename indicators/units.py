"""Unit keys used by the catalogue → their names in EN/FR/NL/DE and whether they are percentages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    en: str
    fr: str
    nl: str
    de: str
    percent: bool  # percentages get the pace in percentage points a year too
    subgroup: bool = (
        False  # a share of a subgroup ("of enterprises that considered AI"): sentences name the title
    )
    decimals: int = 1  # as values are written; a count has none

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en


UNITS: dict[str, Unit] = {
    "pc_enterprises": Unit(
        "% of enterprises", "% des entreprises", "% van de ondernemingen", "% der Unternehmen", True
    ),
    "pc_smes": Unit("% of SMEs", "% des PME", "% van de kmo's", "% der KMU", True),
    "pc_enterprises_using_ai": Unit(
        "% of enterprises using AI",
        "% des entreprises utilisant l'IA",
        "% van de ondernemingen die AI gebruiken",
        "% der Unternehmen, die KI nutzen",
        True,
        subgroup=True,
    ),
    "pc_enterprises_considering_ai": Unit(
        "% of enterprises that ever considered using AI",
        "% des entreprises ayant envisagé d'utiliser l'IA",
        "% van de ondernemingen die ooit overwogen AI te gebruiken",
        "% der Unternehmen, die jemals den Einsatz von KI erwogen haben",
        True,
        subgroup=True,
    ),
    "pc_individuals": Unit(
        "% of individuals aged 16–74",
        "% des personnes de 16 à 74 ans",
        "% van de personen van 16–74 jaar",
        "% der Personen im Alter von 16–74 Jahren",
        True,
    ),
    "pc_adults": Unit(
        "% of adults aged 25–64",
        "% des adultes de 25 à 64 ans",
        "% van de volwassenen van 25–64 jaar",
        "% der Erwachsenen im Alter von 25–64 Jahren",
        True,
    ),
    "pc_households": Unit(
        "% of households", "% des ménages", "% van de huishoudens", "% der Haushalte", True
    ),
    "pc_internet_users": Unit(
        "% of internet users",
        "% des internautes",
        "% van de internetgebruikers",
        "% der Internetnutzer",
        True,
    ),
    "pc_employment": Unit(
        "% of total employment",
        "% de l'emploi total",
        "% van de totale werkgelegenheid",
        "% der Gesamtbeschäftigung",
        True,
    ),
    "pc_population_20_64": Unit(
        "% of the population aged 20–64",
        "% de la population de 20 à 64 ans",
        "% van de bevolking van 20–64 jaar",
        "% der Bevölkerung im Alter von 20–64 Jahren",
        True,
    ),
    "pc_adults_25_74": Unit(
        "% of adults aged 25–74",
        "% des adultes de 25 à 74 ans",
        "% van de volwassenen van 25–74 jaar",
        "% der Erwachsenen im Alter von 25–74 Jahren",
        True,
    ),
    "pc_graduates": Unit(
        "% of graduates", "% des diplômés", "% van de afgestudeerden", "% der Absolventen", True
    ),
    "pc_gdp": Unit("% of GDP", "% du PIB", "% van het bbp", "% des BIP", True),
    "pc_energy": Unit(
        "% of gross final energy consumption",
        "% de la consommation finale brute d'énergie",
        "% van het bruto-eindverbruik van energie",
        "% des Bruttoendenergieverbrauchs",
        True,
    ),
    "pc_coverage": Unit(
        "% of households covered",
        "% des ménages couverts",
        "% van de huishoudens gedekt",
        "% der versorgten Haushalte",
        True,
    ),
    "pc_new_cars": Unit(
        "% of new passenger cars",
        "% des voitures neuves",
        "% van de nieuwe personenwagens",
        "% der neuen Personenkraftwagen",
        True,
    ),
    "nr_new_cars": Unit(
        "number of new passenger cars",
        "nombre de voitures neuves",
        "aantal nieuwe personenwagens",
        "Anzahl neuer Personenkraftwagen",
        False,
        decimals=0,
    ),
    "index_1990": Unit(
        "Index, 1990 = 100", "Indice, 1990 = 100", "Index, 1990 = 100", "Index, 1990 = 100", False
    ),
    "g_co2_km": Unit("g CO2 per km", "g de CO2 par km", "g CO2 per km", "g CO2 je km", False),
    "score_0_100": Unit("Score (0–100)", "Score (0–100)", "Score (0–100)", "Punktwert (0–100)", False),
}
