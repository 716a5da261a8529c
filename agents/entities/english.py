"""English rules: capitalised name sequences typed by titles, organisation and place head words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.entities.gazetteer import Gazetteer
from agents.entities.keys import Folded
from agents.entities.mentions import Mention


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CAP = (
    r"(?:(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Adm|Sen|Rep|Gov|St|Jr|Prof|Rev)\."
    r"|[A-Z]\.(?:[A-Z]\.)+"
    r"|[A-Z]\.(?= [A-Z])"
    r"|(?:al|el|ad|as|ash|an|ar|at|az|bin|ibn|abu|de|van|von|le|la|da|di|du|dos|del)-[A-Z][a-z]+"
    r"|[A-Z]{2,}[a-z]?(?![a-z])"
    r"|[A-Z][a-z]*(?:[A-Z][a-z]+)*(?:-[A-Za-z][a-z]*)*)"
)
_PARTICLE = r"(?:bin|ibn|al|el|de|da|van|von|der|den|du|la|le|di|del|dos|y|Al|bint)"
# A run of capitalised words, possibly joined by name particles (`Mohammed bin Salman`, `Ursula von der Leyen`).
_RUN = re.compile(rf"(?<![\w'-]){_CAP}(?:[ ](?:{_PARTICLE}[ ](?:{_PARTICLE}[ ])?)?{_CAP})*(?![\w-])")
_CAPITAL = re.compile(r"(?<![\w'-])[A-Z]")
_TOKEN = re.compile(rf"{_CAP}|{_PARTICLE}")

SENTENCE_WORDS = _words(
    """
    The A An But And Or Nor In On At For From With By As If When While After Before Since This That These
    Those It He She They We I You His Her Their Our Its My Your Meanwhile However Also Some Many Most Other
    Both Such Under Over Among During Last Next Earlier Later Then Now Today Yesterday Tomorrow According
    Speaking Asked Despite Although Though Following Unlike Like Amid Across Around Between Into Through
    Against Without Within So Yet Not No All Each Every Another What Which Who Why How Where There Here One
    Two Three Four Five Several Monday Tuesday Wednesday Thursday Friday Saturday Sunday Photo Picture File
    Source Sources Read More Click Watch Video Update Breaking Exclusive Analysis Opinion Editorial Follow
    Officials Residents Witnesses Police Troops Authorities Analysts Experts Critics Supporters Protesters
    Several Hundreds Thousands Dozens Only Even Just Still Please Thank Thanks Yes Dear Mr Mrs Ms Sir Madam
    """
)
MONTHS = _words(
    """
    January February March April May June July August September October November December
    """
)
# Words that make what follows a person (`President`, `Gen.`, `Coach`).
CORE_TITLES = _words(
    """
    President Minister Secretary Secretary-General Chancellor King Queen Prince Princess Sheikh Sheikha Emir
    Sultan Pope Gen. Lt. Col. Maj. Capt. Adm. Admiral Sgt. Mr. Mrs. Ms. Dr. Prof. Rev. Sen. Senator Rep.
    Representative Gov. Governor Mayor Ambassador Envoy Commander Chief Justice Judge Speaker Archbishop
    Cardinal Rabbi Imam Ayatollah Marshal Spokesman Spokeswoman Spokesperson Coach Manager Striker
    Midfielder Defender Goalkeeper Captain Chairman Chairwoman CEO Director President-elect Premier Leader
    Prosecutor Professor Lord Lady Dame Sir Father Patriarch Bishop Mufti Mullah General Lieutenant Colonel
    Sergeant Brigadier Commissioner Attorney Vice-President Undersecretary Inspector Superintendent Officer
    Doctor Minister-President Crown Prophet
    """
)
# Words that qualify a title (`Prime`, `Foreign`, `Deputy`): stripped only when a core title follows.
TITLE_MODIFIERS = _words(
    """
    Vice Prime Foreign Defence Defense Interior Finance Home State Health Trade Economy Economic Energy
    Transport Education Labour Labor Agriculture Culture Sports Information Communications Environment
    Treasury Deputy Acting Former Supreme Senior Special Grand Field Opposition Executive Managing Assistant
    Under Chief Junior Central Bank Army Navy Air Force Armed Forces Security Intelligence Police Party
    Opposition National General Attorney Head Federal Regional Provincial Interim Caretaker Outgoing
    Incoming
    """
)
TITLE_WORDS = CORE_TITLES | TITLE_MODIFIERS
LOWER_TITLES = _words(
    """
    president minister secretary chancellor spokesman spokeswoman spokesperson envoy ambassador commander
    chief leader coach striker midfielder defender goalkeeper captain chairman chairwoman director ceo
    founder premier king queen prince sheikh emir sultan pope general governor mayor senator judge
    prosecutor lawyer analyst economist professor researcher official diplomat negotiator mediator candidate
    rival
    """
)
ORG_HEADS = _words(
    """
    Ministry Department Council Committee Commission Agency Organization Organisation Party Army Navy Force
    Forces Guard Guards Corps Bank Fund Company Corp Corp. Corporation Inc Inc. Ltd Ltd. Group University
    College Institute Museum Court Parliament Assembly Union Association Federation League Office Authority
    Service Police Club FC Airlines Airways Brigades Brigade Movement Front Alliance Coalition Foundation
    Center Centre Network Bureau Board Senate Congress Cabinet Ministry's Times Post News Press Television
    TV Radio Tribunal Secretariat Directorate Unit Division Battalion Regiment Fleet Academy School Hospital
    Exchange Reserve Holdings Industries Motors Technologies Systems Institution Observatory Syndicate
    Confederation Consortium Council's Mission Programme Program Initiative Service's Parliament's Society
    Centres Centers Observatory Surveillance Customs Statistics
    Trust Foundation's Cooperation Survey Records Motor Steel Petroleum Pharmaceuticals Airport's Agency's
    League's Ministries Nations Emirate Cartel Regime Junta Taliban Legion Squad Team
    """
)
# Heads that end a facility's name, which the annotation counts as a place (`Kennedy Space Center`).
FACILITY_HEADS = _words(
    """
    Center Centre City Stadium Station Mosque Palace Airport Base Camp Bridge Dam
    """
)
# Words of events, storms, treaties and works, whose names are not entities of the four types.
EVENT_WORDS = _words(
    """
    Cup Championship Championships Games Olympics Olympic Paralympics Paralympic Tournament Festival Summit
    Conference Forum Expo Award Awards Prize War Cyclone Hurricane Typhoon Storm Operation Accord Accords
    Agreement Treaty Act Declaration Day Week Season Fashion Marathon Biennale Show Fair Election Elections
    Revolution Spring Crisis Plan Strategy Vision Report Index
    """
)
TOURNAMENT_LEAGUES = _words("Champions Premier Europa Nations Conference Super")
# Buildings: named ones are places or organisations depending on use; neither a person nor guessed.
BUILDING_WORDS = _words("Guesthouse House Hotel Hall Building Tower Towers Residence Villa Mansion")
# Words that start a place's name (`Mount Arafat`, `Lake Chad`, `Gulf of Aden`).
PLACE_PREFIXES = _words("Mount Mt. Lake Cape Gulf Bay Strait Sea Valley Isle Port Fort Lake")
# Upper-case words that are not organisations' acronyms.
NOT_ACRONYMS = _words(
    """
    GDP CEO CFO COO CTO AI TV UTC GMT AM PM USD EUR GBP OK HIV AIDS LNG LPG COVID SARS MERS DNA RNA IT PR
    VIP ID PC UK US USA EU UN UAE NGO NGOs II III IV VI VII VIII IX XI XII XIV FM BBC CNN ICU IVF IQ QR PDF
    NEW THE AND FOR OF IN ON AT TO BY MP MPs CO2 GPS SMS WHO'S PHOTO FILE VIDEO LIVE UPDATE BREAKING
    EXCLUSIVE
    """
)
PLACE_HEADS = _words(
    """
    Island Islands Isles Sea Ocean River Mountains Mountain Strait Straits Gulf Province Region Valley
    Desert Peninsula Bay Canal Lake Heights Plateau Basin Coast Governorate District Square Street Avenue
    Airport Port Camp Refugee Crossing Border Corridor Stadium Mosque Palace Station Park Forest Reserve
    Falls Archipelago Mountains Hills Plain Delta Wetlands Marshes
    """
)
_ORG_OR_FACILITY = ORG_HEADS | FACILITY_HEADS
_NOT_IN_PERSON_NAMES = TITLE_WORDS | PLACE_HEADS | ORG_HEADS | BUILDING_WORDS
_JOINING_HEADS = ORG_HEADS | PLACE_HEADS | PLACE_PREFIXES
_NOT_STRIPPED = TITLE_WORDS | ORG_HEADS | PLACE_PREFIXES
JOINERS = frozenset({" of ", " of the ", " for ", " for the ", " on "})


@dataclass(frozen=True, slots=True)
class _Run:
    start: int
    end: int
    words: list[tuple[int, int, str]]


class EnglishRules:
    """People, organisations and places found from capitalised runs, given the gazetteer's word lists."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.first_names = gazetteer.first_names.get("en", frozenset())
        self.common = gazetteer.common.get("en", frozenset())

    def find(self, folded: Folded) -> list[Mention]:
        """Every rule-based PER, ORG and LOC mention in the English parts of the text."""
        text = folded.text
        found: list[Mention] = []
        for run in self._runs(text):
            found.extend(self._classify(folded, run))
        return found

    def _runs(self, text: str) -> list[_Run]:
        runs: list[_Run] = []
        for match in self._run_matches(text):
            whole = match.group()
            if " " not in whole and self._skippable_word(whole):
                continue  # a lone sentence-initial or ordinary word: the common case, decided cheaply
            words = [
                (match.start() + word.start(), match.start() + word.end(), word.group())
                for word in _TOKEN.finditer(whole)
            ]
            if not words:
                continue
            run = _Run(match.start(), match.end(), words)
            previous = runs[-1] if runs else None
            # `Ministry of Defence`, `Gulf of Aden`: join across `of` when the left part ends in a head noun.
            gap = text[previous.end : run.start] if previous is not None else ""
            joined_before = (
                previous is not None
                and any(word in ORG_HEADS for _, _, word in previous.words)
                and any(joiner in text[previous.start : previous.end] for joiner in (" of ", " for "))
            )
            if previous is not None and (
                (previous.words[-1][2] in _JOINING_HEADS and gap in JOINERS)
                or (joined_before and gap in (" and ", ", ", " for ", " for the "))
            ):
                runs[-1] = _Run(previous.start, run.end, previous.words + run.words)
                continue
            runs.append(run)
        return runs

    def _skippable_word(self, word: str) -> bool:
        return word in SENTENCE_WORDS or word in MONTHS or word in EVENT_WORDS

    @staticmethod
    def _run_matches(text: str) -> list[re.Match[str]]:
        """Runs of capitalised words, matched only where a capital letter starts a word: far faster than
        letting the run pattern scan every position."""
        matches = []
        covered = -1
        for capital in _CAPITAL.finditer(text):
            start = capital.start()
            if start < covered:
                continue
            match = _RUN.match(text, start)
            if match is not None:
                matches.append(match)
                covered = match.end()
        return matches

    def _classify(self, folded: Folded, run: _Run) -> list[Mention]:
        text = folded.text
        words = list(run.words)
        while words and (words[0][2] in SENTENCE_WORDS or words[0][2] in MONTHS):
            words.pop(0)
        while words and words[-1][2] in MONTHS:
            words.pop()
        if not words:
            return []
        names = [word for _, _, word in words]
        if all(name.isupper() and len(name) > 1 for name in names):
            return self._upper_case(folded, words)
        split = self._title_split(names)
        if split:
            return self._classify(folded, _Run(run.start, run.end, words[:split])) + self._classify(
                folded, _Run(run.start, run.end, words[split:])
            )
        has_org_head = any(name in ORG_HEADS for name in names[1:]) or (names[0] in ORG_HEADS and len(names) > 1)
        if not has_org_head and (
            any(name in EVENT_WORDS for name in names)
            or (names[-1] == "League" and len(names) > 1 and names[-2] in TOURNAMENT_LEAGUES)
        ):
            return []
        while len(words) > 1 and not has_org_head and self._strippable(names):
            words.pop(0)
            names.pop(0)
        multiword = len(names) > 1
        if (
            multiword
            and (names[0] in PLACE_PREFIXES or names[-1] in PLACE_HEADS)
            and not any(name in ORG_HEADS for name in names[:-1])
        ):
            return [self._mention(folded, words, "LOC", "pattern.loc.en", 0.7)]
        if multiword and any(name in _ORG_OR_FACILITY for name in names) and not self._is_title_phrase(names):
            return [self._mention(folded, words, "ORG", "pattern.org.en", 0.75)]
        titled = self._title_before(text, words[0][0])
        while words and self._title_starts(words):
            if words[0][2] in CORE_TITLES:
                titled = True
            words.pop(0)
        if not words:
            return []
        names = [word for _, _, word in words]
        if any(name in _NOT_IN_PERSON_NAMES for name in names):
            return []
        if self._known_place_or_organisation(" ".join(names)):
            return []  # the gazetteer has it
        if titled and len(names) <= 4:
            return [self._mention(folded, words, "PER", "title.en", 0.85)]
        given = names[0] in self.first_names and not self._known_place_or_organisation(names[0])
        if not given and any(self._known_place_or_organisation(name) for name in names):
            return []  # `Borussia Dortmund`, `Neighbouring Cyprus`: not a person's name
        if names[0] in self.first_names and 2 <= len(names) <= 4:
            return [self._mention(folded, words, "PER", "given_name.en", 0.65)]
        if 2 <= len(names) <= 3 and not any(self._common(name) for name in names):
            return [self._mention(folded, words, "PER", "name_shape.en", 0.5)]
        return []

    def _title_split(self, names: list[str]) -> int:
        """Where a title phrase starts after other words (`Bank of Japan Governor Kazuo Ueda`), or 0."""
        for index in range(1, len(names) - 1):
            following = names[index + 1]
            if names[index] in CORE_TITLES and following not in CORE_TITLES and following not in ORG_HEADS:
                start = index
                while start > 0 and names[start - 1] in TITLE_MODIFIERS:
                    start -= 1
                if start == 0:
                    return 0
                return start
        return 0

    def _strippable(self, names: list[str]) -> bool:
        """A leading ordinary word before a name (`Neighbouring Cyprus`), not part of a known name."""
        first = names[0]
        if " ".join(names) in self.gazetteer.names or first in _NOT_STRIPPED:
            return False
        return first.lower() in self.common and first not in self.first_names and not first.isupper()

    def _known_place_or_organisation(self, name: str) -> bool:
        """Whether the gazetteer knows `name` (a word or several), and never as a person's."""
        ids = self.gazetteer.names.get(name, ())
        return bool(ids) and all(self.gazetteer.type_of(entity_id) != "PER" for entity_id in ids)

    def _common(self, name: str) -> bool:
        return name.lower() in self.common or name in self.gazetteer.nationalities

    def _is_title_phrase(self, names: list[str]) -> bool:
        """`Foreign Minister`, `Defence Secretary`: modifiers ending in a core title, nothing else."""
        return names[-1] in CORE_TITLES and all(name in TITLE_WORDS for name in names)

    def _title_starts(self, words: list[tuple[int, int, str]]) -> bool:
        """Whether the run starts with a title (or a qualifier or nationality before one) to strip."""
        first = words[0][2]
        if first in CORE_TITLES:
            return True
        ahead = [word for _, _, word in words[1:4]]
        if first in TITLE_MODIFIERS or first in self.gazetteer.nationalities or first in self.gazetteer.names:
            for word in ahead:
                if word in CORE_TITLES:
                    return True
                if word not in TITLE_MODIFIERS:
                    return False
        return False

    def _upper_case(self, folded: Folded, words: list[tuple[int, int, str]]) -> list[Mention]:
        """A word in capitals: a dateline place (`CAIRO —`) or an organisation's acronym (`ECOWAS`)."""
        word = " ".join(name for _, _, name in words)
        titled = " ".join(part.capitalize() for part in word.split())
        for entity_id in self.gazetteer.names.get(titled, ()):
            if self.gazetteer.type_of(entity_id) == "LOC":
                mention = self._mention(folded, words, "LOC", "dateline.en", 0.85)
                mention.id, mention.canonical = entity_id, self.gazetteer.canonical(entity_id)
                return [mention]
        if len(words) > 1 or word in self.gazetteer.names or word in NOT_ACRONYMS or not 2 <= len(word) <= 6:
            return []
        if not word.isalpha() or word.lower() in self.common:
            return []
        return [self._mention(folded, words, "ORG", "acronym.en", 0.5)]

    @staticmethod
    def _title_before(text: str, start: int) -> bool:
        before = text[max(0, start - 30) : start].rstrip(" ,")
        last = before.rsplit(None, 1)[-1] if before.split() else ""
        return last.lower().rstrip(",") in LOWER_TITLES

    def _mention(
        self, folded: Folded, words: list[tuple[int, int, str]], type_: str, method: str, confidence: float
    ) -> Mention:
        start, end = words[0][0], words[-1][1]
        surface = folded.text[start:end]
        entity_id = self.gazetteer.entity_named(surface, type_)
        canonical = self.gazetteer.canonical(entity_id) if entity_id else surface
        return Mention(
            folded.start(start),
            folded.end(end),
            type_,
            canonical,
            entity_id,
            "en",
            0.95 if entity_id else confidence,
            method,
            priority=2 if type_ == "PER" else 1,
        )
