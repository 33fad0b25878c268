"""Which IANA time zone a place is in: from its coordinates, else its postal code, state or province, else its
country. No network; the answers and the demo both use it.

The rules, most precise first (each a table below, read by `place_zone`):

1. coordinates, through `tzfpy` (offline polygons of the timezone-boundary-builder data, compiled in Rust: a 3 MB
   wheel with no dependencies, lookups under 1 µs after a one-off ~120 ms load on first use; imported lazily so
   start-up does not pay for it). Sentinels (`-90, -180`, `0, 0`), open sea (`Etc/…` zones) and a zone that is not in
   the place's own country are ignored;
2. a US ZIP code's first three digits (`ZIP3_ZONES`, which also splits the states that straddle two zones: the Florida
   panhandle, north-west and south-west Indiana, west Kentucky, east Tennessee, north Idaho, west South Dakota, …), a
   Canadian postal code's first letter, an Australian postcode's first digit;
3. a state or province (`REGION_ZONES`); a state split so evenly that either zone is a guess lists both, and gives no
   zone, only the offsets it allows;
4. a country with one clock (every zone `tzdata`'s `zone.tab` lists for it keeps the same offsets in January and in
   July); a country with several clocks (US, CA, AU, BR, MX, RU, …) gives no zone without a better clue.

`allowed_offsets` says which UTC offsets a place could show at a moment, so a carrier's own offset is believed only
when the place allows it.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["allowed_offsets", "coordinates_zone", "country_zones", "place_zone", "zone", "zone_candidates"]

NY, CHICAGO, DENVER, PHOENIX, LA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)
INDIANA, DETROIT, BOISE = "America/Indiana/Indianapolis", "America/Detroit", "America/Boise"

ZIP3_ZONES: tuple[tuple[int, str | None], ...] = (
    # (first ZIP3 of a run, its zone); a run lasts until the next row. None: military mail (no place).
    (0, NY),  # 005 Holtsville NY
    (6, "America/Puerto_Rico"),
    (8, "America/St_Thomas"),  # US Virgin Islands
    (9, "America/Puerto_Rico"),
    (10, NY),  # New England, NJ
    (90, None),  # APO/FPO Europe
    (100, NY),  # NY, PA, DE, DC, MD, VA, WV, NC, SC, GA, FL
    (324, CHICAGO),  # Florida panhandle: Panama City, Pensacola
    (326, NY),
    (350, CHICAGO),  # AL, middle and west TN
    (373, NY),  # Chattanooga
    (375, CHICAGO),
    (376, NY),  # Johnson City, Knoxville
    (380, CHICAGO),  # west TN, MS
    (398, NY),  # GA
    (400, NY),  # KY east of the line: Louisville, Lexington
    (420, CHICAGO),  # west KY: Paducah, Bowling Green, Owensboro
    (425, NY),
    (430, NY),  # OH
    (460, INDIANA),
    (463, CHICAGO),  # Gary, Hammond
    (465, INDIANA),
    (476, CHICAGO),  # Evansville
    (478, INDIANA),
    (480, DETROIT),  # MI
    (500, CHICAGO),  # IA, WI, MN
    (569, NY),  # DC
    (570, CHICAGO),  # SD east
    (577, DENVER),  # Rapid City
    (580, CHICAGO),  # ND
    (586, DENVER),  # Dickinson
    (587, CHICAGO),
    (590, DENVER),  # MT
    (600, CHICAGO),  # IL, MO, KS, NE
    (690, CHICAGO),
    (693, DENVER),  # Nebraska panhandle: Scottsbluff, Alliance
    (700, CHICAGO),  # LA, AR, OK, TX
    (798, DENVER),  # El Paso
    (800, DENVER),  # CO, WY
    (832, BOISE),  # south Idaho
    (835, LA),  # Lewiston
    (836, BOISE),
    (838, LA),  # Coeur d'Alene
    (840, DENVER),  # UT
    (850, PHOENIX),  # AZ
    (870, DENVER),  # NM, El Paso TX (885)
    (889, LA),  # NV, CA
    (962, None),  # APO/FPO Pacific
    (967, "Pacific/Honolulu"),
    (969, "Pacific/Guam"),
    (970, LA),  # OR
    (979, BOISE),  # Ontario OR (Malheur County)
    (980, LA),  # WA
    (995, "America/Anchorage"),
)
_ZIP3_STARTS = [start for start, _ in ZIP3_ZONES]

CA_POSTAL_ZONES: dict[str, str | None] = {
    # A Canadian postal code's first letter is its province (X: NT and NU, two zones).
    "A": "America/St_Johns",
    "B": "America/Halifax",
    "C": "America/Halifax",
    "E": "America/Moncton",
    **dict.fromkeys("GHJKLMNP", "America/Toronto"),
    "R": "America/Winnipeg",
    "S": "America/Regina",
    "T": "America/Edmonton",
    "V": "America/Vancouver",
    "X": None,
    "Y": "America/Whitehorse",
}

AU_POSTAL_ZONES: dict[str, str] = {
    # An Australian postcode's first digit (0: NT, except 02xx: ACT).
    "0": "Australia/Darwin",
    "1": "Australia/Sydney",
    "2": "Australia/Sydney",
    "3": "Australia/Melbourne",
    "4": "Australia/Brisbane",
    "5": "Australia/Adelaide",
    "6": "Australia/Perth",
    "7": "Australia/Hobart",
    "8": "Australia/Adelaide",
    "9": "Australia/Perth",
}

REGION_ZONES: dict[str, dict[str, tuple[str, ...]]] = {
    # State or province → its zone, or both zones when it is split too evenly to guess (no zone, two offsets).
    # A state whose minority zone holds a small share of its people is listed with its majority zone alone.
    "US": {
        **dict.fromkeys(
            ("CT", "DC", "DE", "FL", "GA", "MA", "MD", "ME", "NC", "NH", "NJ", "NY", "OH", "PA", "RI", "SC", "VA"),
            (NY,),
        ),
        **dict.fromkeys(("VT", "WV"), (NY,)),
        **dict.fromkeys(
            ("AL", "AR", "IA", "IL", "KS", "LA", "MN", "MO", "MS", "ND", "NE", "OK", "TX", "WI"), (CHICAGO,)
        ),
        **dict.fromkeys(("CO", "MT", "NM", "UT", "WY"), (DENVER,)),
        **dict.fromkeys(("CA", "NV", "OR", "WA"), (LA,)),
        "AZ": (PHOENIX,),
        "IN": (INDIANA,),
        "MI": (DETROIT,),
        "ID": (BOISE, LA),
        "KY": (NY, CHICAGO),
        "TN": (CHICAGO, NY),
        "SD": (CHICAGO, DENVER),
        "AK": ("America/Anchorage",),
        "HI": ("Pacific/Honolulu",),
        "PR": ("America/Puerto_Rico",),
        "VI": ("America/St_Thomas",),
        "GU": ("Pacific/Guam",),
        "MP": ("Pacific/Saipan",),
        "AS": ("Pacific/Pago_Pago",),
    },
    "CA": {
        "NL": ("America/St_Johns",),
        **dict.fromkeys(("NS", "PE"), ("America/Halifax",)),
        "NB": ("America/Moncton",),
        **dict.fromkeys(("QC", "ON"), ("America/Toronto",)),
        "MB": ("America/Winnipeg",),
        "SK": ("America/Regina",),
        "AB": ("America/Edmonton",),
        "BC": ("America/Vancouver",),
        "YT": ("America/Whitehorse",),
        "NT": ("America/Yellowknife",),
        "NU": ("America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"),
    },
    "AU": {
        **dict.fromkeys(("NSW", "ACT"), ("Australia/Sydney",)),
        "VIC": ("Australia/Melbourne",),
        "QLD": ("Australia/Brisbane",),
        "SA": ("Australia/Adelaide",),
        "WA": ("Australia/Perth",),
        "TAS": ("Australia/Hobart",),
        "NT": ("Australia/Darwin",),
    },
}

US_LIKE = frozenset({"US", "PR", "VI", "GU", "MP", "AS"})
"""Countries that use US ZIP codes and US state codes."""
SEA_PREFIX = "Etc/"


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone by name; None when the name is unknown to this machine's (or `tzdata`'s) database."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


# ----------------------------------------------------------------------------- coordinates


def coordinates_zone(latitude: float | None, longitude: float | None) -> str | None:
    """The zone at a point on land, or None (no point, a placeholder point such as `-90, -180` or `0, 0`, open sea)."""
    if latitude is None or longitude is None or not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if abs(latitude) >= 90 or abs(longitude) >= 180 or (latitude, longitude) == (0, 0):
        return None
    return _coordinates_zone(round(latitude, 3), round(longitude, 3))


@lru_cache(maxsize=4096)
def _coordinates_zone(latitude: float, longitude: float) -> str | None:
    from tzfpy import get_tz  # imported on first use: ~120 ms of CPU once, start-up does not pay it

    name = get_tz(longitude, latitude)
    return None if not name or name.startswith(SEA_PREFIX) else name


# ----------------------------------------------------------------------------- postal code, region, country


def _us_zip_zone(postal_code: str) -> tuple[str, ...]:
    digits = postal_code[:5]
    if len(digits) < 5 or not digits.isdigit():
        return ()
    name = ZIP3_ZONES[bisect_right(_ZIP3_STARTS, int(digits[:3])) - 1][1]
    return (name,) if name else ()


def _postal_zones(postal_code: str | None, country: str | None) -> tuple[str, ...]:
    code = (postal_code or "").strip().upper()
    if not code:
        return ()
    if country in US_LIKE:
        return _us_zip_zone(code)
    if country == "CA" and code[0].isalpha():
        name = CA_POSTAL_ZONES.get(code[0])
        return (name,) if name else ()
    if country == "AU" and len(code) == 4 and code.isdigit():
        return ("Australia/Sydney",) if code.startswith("02") else (AU_POSTAL_ZONES[code[0]],)
    return ()


@lru_cache(maxsize=1)
def _zone_table() -> dict[str, tuple[str, ...]]:
    """Country → the zones tzdata's `zone.tab` lists for it (read once, from the `tzdata` package)."""
    from importlib import resources

    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):  # pragma: no cover - tzdata is a dependency
        return {}
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            table.setdefault(fields[0], []).append(fields[2])
    return {country: tuple(names) for country, names in table.items()}


def country_zones(country: str | None) -> tuple[str, ...]:
    """Every zone of a country (ISO 3166 alpha-2), as tzdata lists them."""
    return _zone_table().get((country or "").upper(), ())


@lru_cache(maxsize=512)
def _one_clock(country: str) -> str | None:
    """The country's zone when all its zones keep one clock (same offsets in January and July), else None."""
    names = country_zones(country)
    seasons = (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))
    clocks = {tuple(moment.astimezone(z).utcoffset() for moment in seasons) for z in map(zone, names) if z is not None}
    return names[0] if len(clocks) == 1 else None


@lru_cache(maxsize=4096)
def zone_candidates(
    postal_code: str | None = None, state: str | None = None, country: str | None = None
) -> tuple[str, ...]:
    """The zones a place (without coordinates) may be in: one when it is known, several when the clue is coarse
    (a split state, a country with several clocks), none when nothing is known."""
    country = (country or "").strip().upper() or None
    region = (state or "").strip().upper()
    if region in REGION_ZONES["US"] and country not in US_LIKE and region not in REGION_ZONES.get(country or "", {}):
        country = "US"  # a US state with no country, or beside a wrong one ("TX" in "CA"): the state knows better
    found = _postal_zones(postal_code, country) or REGION_ZONES.get(
        "US" if country in US_LIKE else country or "", {}
    ).get(region, ())
    if found or country is None:
        return found
    one = _one_clock(country)
    return (one,) if one else country_zones(country)


def place_zone(
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    postal_code: str | None = None,
    state: str | None = None,
    country: str | None = None,
) -> ZoneInfo | None:
    """The place's zone: its coordinates' when they are on land in its own country, else its only candidate."""
    return _place_zone(latitude, longitude, postal_code, state, country)


@lru_cache(maxsize=4096)
def _place_zone(
    latitude: float | None, longitude: float | None, postal_code: str | None, state: str | None, country: str | None
) -> ZoneInfo | None:
    candidates = zone_candidates(postal_code, state, country)
    by_point = coordinates_zone(latitude, longitude)
    if by_point and (by_point in candidates or not country_zones(country) or by_point in country_zones(country)):
        return zone(by_point)
    return zone(candidates[0]) if len(candidates) == 1 else None


def allowed_offsets(candidates: tuple[str, ...], moment: datetime) -> frozenset[timedelta]:
    """The UTC offsets the candidate zones show on `moment`'s UTC day (both sides of a clock change that day)."""
    return _offsets_on(candidates, moment.astimezone(UTC).date())


@lru_cache(maxsize=2048)
def _offsets_on(candidates: tuple[str, ...], day: date) -> frozenset[timedelta]:
    start = datetime.combine(day, time(), tzinfo=UTC)
    ends = (start, start + timedelta(hours=23, minutes=59))
    return frozenset(end.astimezone(z).utcoffset() for z in map(zone, candidates) if z for end in ends)  # type: ignore[misc]
