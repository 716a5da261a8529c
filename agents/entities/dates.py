"""DATE mentions in Arabic and English: both Arabic month systems, Arabic-Indic digits, years; ISO canonicals."""

from __future__ import annotations

import re
from collections.abc import Iterator

import ahocorasick

from agents.entities.keys import Folded, match_key
from agents.entities.mentions import Mention

# Arabic month names in the Egyptian/Gulf, Levantine and Maghrebi systems (matched on folded keys).
_ARABIC_MONTHS: dict[str, int] = {
    **dict.fromkeys(["يناير", "كانون الثاني", "جانفي", "كانون ثاني"], 1),
    **dict.fromkeys(["فبراير", "شباط", "فيفري", "فبرير"], 2),
    **dict.fromkeys(["مارس", "آذار", "مارت"], 3),
    **dict.fromkeys(["أبريل", "إبريل", "نيسان", "أفريل", "ابريل"], 4),
    **dict.fromkeys(["مايو", "أيار", "ماي"], 5),
    **dict.fromkeys(["يونيو", "يونيه", "حزيران", "جوان"], 6),
    **dict.fromkeys(["يوليو", "يوليه", "تموز", "جويلية", "يوليوز"], 7),
    **dict.fromkeys(["أغسطس", "آب", "أوت", "غشت", "اغسطس"], 8),
    **dict.fromkeys(["سبتمبر", "أيلول", "شتنبر"], 9),
    **dict.fromkeys(["أكتوبر", "تشرين الأول", "اكتوبر", "تشرين أول"], 10),
    **dict.fromkeys(["نوفمبر", "تشرين الثاني", "نونبر", "تشرين ثاني"], 11),
    **dict.fromkeys(["ديسمبر", "كانون الأول", "دجنبر", "كانون أول"], 12),
}
# Month names that are also common words or brands: a date only beside a day, a year, another month name
# or a preposition of time.
_ARABIC_WEAK = {match_key(name) for name in ["آب", "ماي", "مارس", "نيسان", "تموز", "مارت"]}
_ARABIC_TIME_WORDS = r"(?:في|منذ|خلال|حتى|مطلع|اوائل|اواخر|منتصف|نهايه|بدايه|شهر|شهري|اواسط|قبل|بعد)"

_ENGLISH_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ["January", "Jan.", "Jan"],
            ["February", "Feb.", "Feb"],
            ["March", "Mar."],
            ["April", "Apr.", "Apr"],
            ["May"],
            ["June"],
            ["July"],
            ["August", "Aug.", "Aug"],
            ["September", "Sept.", "Sep.", "Sept"],
            ["October", "Oct.", "Oct"],
            ["November", "Nov.", "Nov"],
            ["December", "Dec.", "Dec"],
        ],
        start=1,
    )
    for name in names
}
_ABBREVIATIONS = {name for name in _ENGLISH_MONTHS if name.endswith(".") or len(name) <= 4} - {"May", "June", "July"}
_ENGLISH_WEAK = {"May", "March", "Mar.", "Jan.", "Dec.", "Sep."}
_ENGLISH_TIME_WORDS = (
    r"(?:in|since|until|till|by|from|through|during|before|after|early|late|mid-|last|next|this|of|the|their|its|"
    r"his|her|our)"
)

_AR_MONTH_KEYS = {match_key(name): number for name, number in _ARABIC_MONTHS.items()}


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


_AR_MONTH = _alternation(list(_AR_MONTH_KEYS))
_EN_MONTH = _alternation(list(_ENGLISH_MONTHS))
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"

_ORDINAL_UNITS = ["الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع"]
# Day numbers written as ordinal words (`السابع من أكتوبر`), folded, to the day they name.
_ORDINAL_DAYS: dict[str, int] = {
    **{word: number for number, word in enumerate(_ORDINAL_UNITS, start=1)},
    "العاشر": 10,
    "الحادي عشر": 11,
    **{f"{word} عشر": number for number, word in enumerate(_ORDINAL_UNITS[1:], start=12)},
    "العشرين": 20,
    **{
        f"{'الحادي' if number == 1 else word} والعشرين": 20 + number
        for number, word in enumerate(_ORDINAL_UNITS, start=1)
    },
    "الثلاثين": 30,
    "الحادي والثلاثين": 31,
}
_ORDINAL = "|".join(sorted(_ORDINAL_DAYS, key=len, reverse=True))
_ARABIC_DATE = re.compile(
    rf"(?<![\w/])(?:(?:(?P<day>{_DAY})\s+(?:من\s+)?|(?P<ordinal>{_ORDINAL})\s+من\s+))?"
    rf"(?P<month>{_AR_MONTH})(?:\s*/\s*(?P<alt>{_AR_MONTH})|\s*\(\s*(?P<paren>{_AR_MONTH})\s*\))?"
    rf"(?:\s*،?\s*(?P<year>{_YEAR})(?:\s*م\b)?)?(?!\w)"
)
_ENGLISH_DATE = re.compile(
    rf"(?<![\w])(?:(?P<day1>{_DAY})(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?P<month>{_EN_MONTH})(?![\w])"
    rf"(?:\s+(?P<day2>{_DAY})(?:st|nd|rd|th)?(?![\w]))?(?:,?\s+(?P<year>{_YEAR})(?![\w]))?"
)
_NUMERIC_DATE = re.compile(
    rf"(?<![\w/.-])(?:(?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])-(?P<id>{_DAY})"
    rf"|(?P<d>{_DAY})[/.](?P<m>0?[1-9]|1[0-2])[/.](?P<y>{_YEAR}))(?![\w/.-])"
)
# A bare year: four digits, not part of a larger number, an amount or a range of digits.
_BARE_YEAR = re.compile(rf"(?:(?<=\sو)|(?<![\w/:$€£-]))(?<!\d[.,])(?P<year>{_YEAR})(?!\w|[.,]\d|[/:%$-]|\s*[%٪])")
# The word for "year" before an Arabic year belongs to the date (`عام 2014`), a clitic before it does not.
_AR_YEAR_WORD = re.compile(r"(?:(?<=[\s(])|^)[وفلب]?(?P<word>(?:ال)?(?:عام|سنه))\s+$")
_PLAN_BEFORE = re.compile(r"(?:رويه|اجنده|Vision|Agenda)\s*$")
_FOUR_DIGITS = re.compile(r"[12]\d{3}")
_AR_YEAR_CONTEXT = re.compile(r"(?:عام|سنه|العام|لعام|بعام|وعام|في|منذ|حتى|خلال|مطلع|نهايه|بدايه|منتصف|و|-)\s*$")
_EN_YEAR_CONTEXT = re.compile(
    r"(?:in|since|until|of|by|from|to|and|during|before|after|year|early|late|mid-|-|–|,)\s*$", re.IGNORECASE
)
_UNIT_AFTER = re.compile(
    r"\s*(?:people|persons|soldiers|troops|fighters|civilians|children|women|men|deaths|dead|casualties|"
    r"refugees|migrants|workers|jobs|students|homes|houses|buildings|missiles|rockets|drones|aircraft|tanks|"
    r"vehicles|barrels|tons|tonnes|km|kilometres|kilometers|miles|metres|meters|dollars|euros|pounds|"
    r"points|votes|cases|members|units|employees|km2)\b"
)


def _iso(year: str | None, month: int | None, day: str | None) -> str:
    if month is None:
        return year or ""
    if year:
        return f"{year}-{month:02d}" + (f"-{int(day):02d}" if day else "")
    return f"--{month:02d}" + (f"-{int(day):02d}" if day else "")


def _mention(folded: Folded, start: int, end: int, canonical: str, lang: str, method: str) -> Mention:
    return Mention(
        folded.start(start), folded.end(end), "DATE", canonical, None, lang, 0.9, method, priority=3
    )


def _month_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key in _AR_MONTH_KEYS:
        automaton.add_word(key, (len(key), "ar"))
    for name in _ENGLISH_MONTHS:
        automaton.add_word(name, (len(name), "en"))
    automaton.make_automaton()
    return automaton


_MONTHS = _month_automaton()
_DAY_BEFORE = re.compile(rf"(?<![\w/])(?:{_DAY}(?:st|nd|rd|th)?\s+(?:(?:من|of)\s+)?|(?:{_ORDINAL})\s+من\s+)$")


def _candidates(text: str, pattern: re.Pattern[str], lang: str) -> Iterator[re.Match[str]]:
    """Matches of a date pattern anchored where a month name stands (or at the day number before it):
    the multi-pattern search finds month names far faster than the pattern could scan the whole text."""
    covered = -1
    for end_index, (length, month_lang) in _MONTHS.iter(text):
        start = end_index + 1 - length
        if month_lang != lang or start < covered:
            continue
        if (start > 0 and text[start - 1].isalpha()) or (end_index + 1 < len(text) and text[end_index + 1].isalpha()):
            continue
        day = _DAY_BEFORE.search(text, max(0, start - 30), start)
        match = pattern.match(text, day.start() if day else start)
        if match is None and day is not None:
            match = pattern.match(text, start)
        if match is not None:
            covered = match.end()
            yield match


def arabic_dates(folded: Folded) -> Iterator[Mention]:
    """Arabic day-month-year, month/month pairs, month-year and months after a time word."""
    text = folded.text
    for match in _candidates(text, _ARABIC_DATE, "ar"):
        month_key = match["month"]
        paired = match["alt"] or match["paren"]
        anchored = match["day"] or match["ordinal"] or match["year"] or paired
        if not anchored and month_key in _ARABIC_WEAK:
            before = text[max(0, match.start() - 12) : match.start()]
            if not re.search(_ARABIC_TIME_WORDS + r"\s*$", before):
                continue
        day = match["day"] or (str(_ORDINAL_DAYS[match["ordinal"]]) if match["ordinal"] else None)
        canonical = _iso(match["year"], _AR_MONTH_KEYS[month_key], day)
        yield _mention(folded, match.start(), match.end(), canonical, "ar", "date.ar")


def english_dates(folded: Folded) -> Iterator[Mention]:
    """English 'November 2, 2013', '2 November 2013', 'November 2013' and months after a time word."""
    text = folded.text
    for match in _candidates(text, _ENGLISH_DATE, "en"):
        month = match["month"]
        day = match["day1"] or match["day2"]
        if not (day or match["year"]) and month in _ENGLISH_WEAK:
            before = text[max(0, match.start() - 8) : match.start()]
            if not re.search(_ENGLISH_TIME_WORDS + r"\s*$", before, re.IGNORECASE):
                continue
        if month in _ABBREVIATIONS and not day:
            continue  # an abbreviation is a month only with its day
        if not (day or match["year"]) and re.match(r" [A-Z]", text[match.end() :]):
            continue  # `June Steenkamp`: a given name, not a month
        canonical = _iso(match["year"], _ENGLISH_MONTHS[month], day)
        yield _mention(folded, match.start(), match.end(), canonical, "en", "date.en")


def numeric_dates(folded: Folded) -> Iterator[Mention]:
    """ISO dates and day/month/year with slashes or dots."""
    for match in _NUMERIC_DATE.finditer(folded.text):
        if match["iy"]:
            canonical = _iso(match["iy"], int(match["im"]), match["id"])
        else:
            canonical = _iso(match["y"], int(match["m"]), match["d"])
        yield _mention(folded, match.start(), match.end(), canonical, "", "date.numeric")


def bare_years(folded: Folded) -> Iterator[Mention]:
    """Four-digit years standing alone: 1900-2099 unless a counted noun follows, earlier ones after a year word."""
    text = folded.text
    for candidate in _FOUR_DIGITS.finditer(text):
        match = _BARE_YEAR.match(text, candidate.start())
        if match is None:
            continue
        year = match["year"]
        before = text[max(0, match.start() - 12) : match.start()]
        has_context = _AR_YEAR_CONTEXT.search(before) is not None or _EN_YEAR_CONTEXT.search(before) is not None
        word = _AR_YEAR_WORD.search(text, max(0, match.start() - 8), match.start())
        if word is None and (_UNIT_AFTER.match(text, match.end()) or _ar_counted_noun(text, match.end())):
            continue  # "2000 soldiers", "1500 جندي", "و2059 مصابا"
        if not has_context and year < "1900":
            continue
        if _PLAN_BEFORE.search(text, max(0, match.start() - 12), match.start()):
            continue  # `رؤية 2030`, `Vision 2030`: the name of a plan, not a date
        start = match.start()
        if word is not None:
            start = word.start("word")
        yield _mention(folded, start, match.end(), year, "", "date.year")


_AR_NOT_COUNTED = re.compile(r"\s*(?:م\b|،|\.|,|\)|\n|$|و|الى|حتى|ميلادي|هجري)")


def _ar_counted_noun(text: str, end: int) -> bool:
    """Whether the number after which `end` sits is followed by a counted noun (`1500 جندي`, `2059 مصابا`)."""
    if _AR_NOT_COUNTED.match(text, end):
        return False
    if re.match(r"\s*(?!ال)[\u0621-\u064a]{2,}ا(?![\u0621-\u064a])", text[end:]):
        return True  # an indefinite accusative noun counts what the number numbers
    return re.match(r"\s*[\u0621-\u064a]", text[end:]) is not None and re.match(
        r"\s*(?:شخص|جندي|قتيل|مليون|مليار|الف|دولار|يورو|جنيه|ريال|دينار|درهم|كيلو|متر|طن|برميل|عنصر|مقاتل|"
        r"طفل|امراه|مدني|مصاب|كف|حبه|قرص|منزل|مبنى|وحده|صاروخ|طائره|سياره|موظف|عامل|طالب|لاجئ|مهاجر|حاله|اصابه|جريح)",
        text[end:],
    ) is not None


def find_dates(folded: Folded) -> list[Mention]:
    """Every date recogniser; each mention's language is set later from the block it falls in."""
    found = [*bare_years(folded), *arabic_dates(folded), *english_dates(folded)]
    if _DATE_SEPARATOR.search(folded.text):
        found += numeric_dates(folded)
    return found


_DATE_SEPARATOR = re.compile(r"\d[-/.]\d")
