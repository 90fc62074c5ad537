"""Codes event datasets use for countries, so that a scenario's party ids find their events.

GDELT writes CAMEO country codes (ISO alpha-3 for states: USA, CHN), POLECAT ISO alpha-3, ICEWS
English names. Party ids in scenarios are usually ISO alpha-2 (US, CN). A party's ``aliases`` add
any other code or name.
"""

from __future__ import annotations

# ISO 3166 alpha-2 -> (alpha-3, the English name ICEWS uses).
COUNTRIES: dict[str, tuple[str, str]] = {
    "AR": ("ARG", "Argentina"), "AU": ("AUS", "Australia"), "BR": ("BRA", "Brazil"),
    "CA": ("CAN", "Canada"), "CH": ("CHE", "Switzerland"), "CN": ("CHN", "China"),
    "DE": ("DEU", "Germany"), "EG": ("EGY", "Egypt"), "ES": ("ESP", "Spain"), "FR": ("FRA", "France"),
    "GB": ("GBR", "United Kingdom"), "GR": ("GRC", "Greece"), "ID": ("IDN", "Indonesia"),
    "IL": ("ISR", "Israel"), "IN": ("IND", "India"), "IR": ("IRN", "Iran"), "IT": ("ITA", "Italy"),
    "JP": ("JPN", "Japan"), "KP": ("PRK", "North Korea"), "KR": ("KOR", "South Korea"),
    "MX": ("MEX", "Mexico"), "MY": ("MYS", "Malaysia"), "NL": ("NLD", "Netherlands"),
    "PH": ("PHL", "Philippines"), "PK": ("PAK", "Pakistan"), "PL": ("POL", "Poland"),
    "RU": ("RUS", "Russian Federation"), "SA": ("SAU", "Saudi Arabia"), "SG": ("SGP", "Singapore"),
    "TH": ("THA", "Thailand"), "TR": ("TUR", "Turkey"), "TW": ("TWN", "Taiwan"),
    "UA": ("UKR", "Ukraine"), "US": ("USA", "United States"), "VN": ("VNM", "Vietnam"),
    "ZA": ("ZAF", "South Africa"),
}


def codes_for(party: str, aliases: list[str] | tuple[str, ...] = ()) -> set[str]:
    """Every code or name (upper case) that stands for ``party`` in event data."""
    codes = {party, *aliases}
    if party.upper() in COUNTRIES:
        codes.update(COUNTRIES[party.upper()])
    return {c.strip().upper() for c in codes if c.strip()}
