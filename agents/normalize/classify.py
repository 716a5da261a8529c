"""Rules that recognise a line's role: scraping artefact, credit, caption marker, dateline, subheading."""

from __future__ import annotations

import re

from agents.normalize.keys import match_key

_PLACEHOLDER = re.compile(
    r"(?:undefined|null|nil|none|nan|\[object object\]|#name\?|#value!|\{\{[^{}]*\}\}|\$\{[^{}]*\}|%s|n/a)",
    re.IGNORECASE,
)
# Matched against match_key(line): Arabic with alef/ya/ta-marbuta folded, Latin lower-cased.
_BOILERPLATE = re.compile(
    r"(?:share(?: this(?: article| story| post)?)?(?: on| via)?(?: facebook| twitter| x| whatsapp| linkedin"
    r"| telegram| email| e-mail)?|tweet|print|email|e-mail|read more|read also|see also|more:?|related"
    r"(?: articles| stories| news| topics)?|advertisement|advertising|sponsored(?: content)?|ad|skip to"
    r"(?: main)? content|click here(?: to .*)?|subscribe(?: .*)?|sign up(?: .*)?|follow us(?: on .*)?"
    r"|\d* ?comments?|leave a comment|copy link|link copied|watch:?|listen:?|loading\.*|back to top"
    r"|اقرا ايضا|اقرا المزيد|اقرا كذلك|اقرا|شارك|شارك الخبر|شارك المقال|شاركها|مشاركه|مشاركه الخبر|اعلان|اعلانات"
    r"|تابعونا(?: علي .*)?|اضغط هنا.*|طباعه|ارسل لصديق|تعليقات?|اضف تعليق|المزيد|شاهد ايضا|شاهد|ذات صله"
    r"|مواضيع ذات صله|اخبار ذات صله|نسخ الرابط|تم نسخ الرابط)[ :.!|»>-]*",
)
_READ_ALSO = re.compile(r"(?:read (?:more|also)|see also|related|اقرا (?:ايضا|المزيد|كذلك)|شاهد ايضا)\s*[:：]")
_CREDIT = re.compile(
    r"(?:(?:المصدر|المصادر|مصدر|source|sources|credit|credits|photo credit|بقلم|كتب|كتبت|تحرير|إعداد|اعداد)"
    r"\s*[:：]\s*\S.{0,120}"
    r"|\(?(?:reporting|writing|editing|additional reporting|compiled) by .{1,200}"
    r"|(?-i:[Bb]y [A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,3}(?:(?:,| and| in) [A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,3})*)"
    r"|(?:©|copyright|\(c\)) ?.{1,80}"
    r"|\(?(?:reuters|afp|ap|the associated press|associated press|agencies|dpa|anadolu|xinhua|bloomberg|upi"
    r"|وكالات|رويترز|أ ف ب|ا ف ب|الفرنسية|الأناضول|الاناضول|د ب أ|الجزيرة|الجزيرة نت|وام|واس|سانا|قنا|كونا)\)?"
    r"\.?)",
    re.IGNORECASE,
)
_CAPTION_START = re.compile(
    r"(?:photo|picture|image|file photo|caption|pictured|صورة|الصورة|صورة أرشيفية|صورة ارشيفية)\s*[:：(|-]",
    re.IGNORECASE,
)
_CAPTION_END = re.compile(
    r"(?:\((?:ap|afp|reuters|getty images|epa|photo)[^()]{0,60}\)"
    r"|(?:REUTERS|AFP|AP Photo|Getty Images|EPA)/[\w .'-]{1,60}\)?\.?)\s*$",
    re.IGNORECASE,
)
_CAPTION_CREDITS = ("AFP PHOTO", "ANADOLU AGENCY", "Getty Images")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|يناير|فبراير|مارس|ابريل|أبريل|مايو|يونيو|يوليو|اغسطس|أغسطس|سبتمبر|اكتوبر|أكتوبر|نوفمبر|ديسمبر"
    r"|كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|كانون الأول)"
)
_DATE_LINE = re.compile(
    rf"(?:(?:published|updated|posted|last updated|نشر في|تاريخ النشر|آخر تحديث|اخر تحديث|تحديث)\s*[:：]?\s*)?"
    rf"(?:[\w]+,?\s+)?"
    rf"(?:\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}|\d{{1,2}}\s+{_MONTHS}\.?,?\s+\d{{4}}|{_MONTHS}\.?\s+\d{{1,2}},?\s+\d{{4}})"
    rf"(?:\s*[-|,،]?\s*(?:at\s+)?\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s*(?:am|pm|gmt|utc|[+-]\d{{2}}:?\d{{2}})?)?\.?",
    re.IGNORECASE,
)
# A wire dateline opening a story: "CAIRO (Reuters) -", "BEIRUT, Lebanon (AP) —", "القاهرة (رويترز) -".
_DATELINE_PREFIX = re.compile(
    r"(?:[A-Z][A-Z'.-]{2,}(?: [A-Z][A-Z'.-]+){0,3}(?:, [A-Z][\w.]+(?: [A-Z][\w.]+)?)?"
    r"(?: ?,? (?:[A-Z][a-z]{2,8}\.? \d{1,2}|\d{1,2} [A-Z][a-z]{2,8}\.?))?"
    r"(?: \((?:Reuters|AP|AFP|Bloomberg|UPI|dpa|Xinhua|Anadolu|Al Jazeera)\))?"
    r"|[\u0621-\u064a]{2,}(?: [\u0621-\u064a]{2,}){0,2}(?: ?- ?| )"
    r"\((?:رويترز|أ ف ب|ا ف ب|الفرنسية|الأناضول|د ب أ|وكالات|الجزيرة)\))"
    r" ?(?:—|–|--|-|:) ?(?=\S)"
)
_TERMINAL = frozenset(".!?؟…,،;؛\"'”»)")


def artefact_reason(text: str) -> str | None:
    """Why a clean line is scraping debris rather than content, or None when it is content."""
    if _PLACEHOLDER.fullmatch(text):
        return "placeholder"
    if not any(char.isalnum() for char in text):
        return "no_text"
    if len(text) <= 200:
        key = match_key(text)
        if (len(text) <= 80 and _BOILERPLATE.fullmatch(key)) or _READ_ALSO.match(key):
            return "boilerplate"
    return None


def is_credit(text: str) -> bool:
    """A source, byline or agency line such as `المصدر : وكالات`, `Source: Reuters`, `(Reporting by ...)`."""
    return len(text) <= 240 and _CREDIT.fullmatch(text) is not None


def is_caption_marked(text: str) -> bool:
    """A line that says it is a photo caption (`Photo:`, `صورة:`, an `(AP Photo/...)` credit)."""
    return len(text) <= 500 and (
        _CAPTION_START.match(text) is not None
        or (("/" in text[-80:] or text.endswith(")")) and _CAPTION_END.search(text, max(0, len(text) - 80)) is not None)
        or any(credit in text for credit in _CAPTION_CREDITS)
    )


def is_date_line(text: str) -> bool:
    """A line that is only a publication date (and time)."""
    return len(text) <= 80 and _DATE_LINE.fullmatch(text) is not None


def dateline_end(text: str) -> int | None:
    """Where a wire dateline that opens a paragraph ends (after its dash), or None."""
    match = _DATELINE_PREFIX.match(text)
    return match.end() if match and match.end() < len(text) - 20 else None


def is_standalone_dateline(text: str) -> bool:
    """A line that is only a wire dateline (`CAIRO —`)."""
    return len(text) <= 60 and _DATELINE_PREFIX.match(text + " x") is not None and text[-1] in "—–-:"


def ends_sentence(text: str) -> bool:
    """Whether a line ends with sentence-final or clause punctuation (a paragraph does, a heading does not)."""
    return text[-1] in _TERMINAL


def looks_like_heading(text: str, max_chars: int = 80, max_words: int = 10) -> bool:
    """Short, without sentence-final punctuation: a title or subheading."""
    return len(text) <= max_chars and text.count(" ") < max_words and not ends_sentence(text)
