"""Arabic rules: people after titles and given names, organisations from head nouns, on folded tokens."""

from __future__ import annotations

import re

import ahocorasick

from agents.entities.gazetteer import Gazetteer, Hit, is_arabic_letter
from agents.entities.keys import Folded, match_key
from agents.entities.mentions import Mention
from agents.entities.tokens import Coverage, HitIndex, Token, tokenize


def _keys(words: str) -> frozenset[str]:
    return frozenset(match_key(word) for word in words.split())


# Words that introduce a person: offices, ranks, honorifics, professions.
TITLES = _keys(
    """
    الرئيس رئيس رئيسة الرئيسة وزير وزيرة الوزير الوزيرة الملك الملكة الأمير الأميرة الشيخ الشيخة السلطان
    ولي المستشار المستشارة مستشار مستشارة الجنرال اللواء العميد العقيد الفريق المشير الرائد النقيب الأدميرال
    قائد القائد زعيم الزعيم السفير السفيرة سفير سفيرة المتحدث المتحدثة متحدث الناطق الناطقة المبعوث
    المبعوثة مبعوث المندوب المندوبة مندوب الأمين مدير المدير المديرة مديرة محافظ المحافظ حاكم الحاكم
    عمدة النائب النائبة نائب نائبة السيناتور الدكتور الدكتورة السيد السيدة البابا المرشد الكاردينال
    الحاخام المدرب مدرب اللاعب لاعب اللاعبة النجم النجمة الفنان الفنانة المطرب المطربة الممثل الممثلة
    الكاتب الكاتبة الروائي الروائية الشاعر الشاعرة الصحفي الصحفية المراسل المراسلة الباحث الباحثة الخبير
    الخبيرة المحلل المحللة الأستاذ الأستاذة البروفيسور المهندس المحامي المحامية القاضي القاضية المدعي
    مساعد مساعدة المفوض المفوضة المقرر المقررة مؤسس المؤسس القيادي القيادية عضو العضو الناشط الناشطة
    المعارض المعارضة الكابتن المخرج المخرجة الملحن الأديب الطبيب الطبيبة المواطن المواطنة الشاب الشابة
    الطفل الطفلة الفتى الفتاة الإمام المفتي الداعية رئيسها رئيسه زعيمها زعيمه
    """
)
# Words between a title and the name: offices, ministries, ranks and qualifiers (`وزير الخارجية الأسبق`).
TITLE_COMPLEMENTS = _keys(
    """
    الخارجية خارجية الدفاع دفاع الداخلية داخلية الوزراء وزراء الحكومة حكومة العام العامة الأعلى التنفيذي
    التنفيذية السابق السابقة الأسبق الحالي المالية مالية الاقتصاد اقتصاد الصحة صحة التعليم تعليم العدل عدل
    الطاقة طاقة النفط نفط الزراعة التجارة تجارة الإعلام النقل السياحة البيئة الثقافة الشباب الرياضة الخزانة
    الدولة دولة الأمن أمن الأركان هيئة الجيش جيش الجمهورية المجلس مجلس الشيوخ النواب البرلمان الشورى الحزب
    حزب الحركة حركة المكتب السياسي العسكري العسكرية الوطني الوطنية القومي الأممي الأممية الخاص الخاصة الدائم
    الدائمة الأول الثاني الثالث الأولى العامة المساعد المساعدة للشؤون لشؤون شؤون الإعلامي الإعلامية الفني
    المنتخب منتخب الفريق فريق النادي نادي الشركة شركة الوزارة وزارة العهد الخارجي الداخلي الاتحاد اتحاد
    المنتهية ولايته الانتقالي الانتقالية المؤقت المؤقتة المكلف المكلفة الجديد الجديدة السياسية الاقتصادي
    المخابرات الاستخبارات الشرطة الحرس الثوري البحرية الجوية القوات قوات المسلحة الأركان الميداني
    الشؤون الخارجية التنفيذي الإدارة إدارة التحرير الجامعة جامعة البنك بنك المركزي المحكمة الدستورية العليا
    الهيئة اللجنة لجنة المفوضية الأعمال أعمال الاستثمار الإسكان الاتصالات الصناعة العمل الهجرة اللاجئين
    الإغاثة الإنسانية السلام حقوق الإنسان الدفاعية
    """
)
# Words that may join a title to what it is of: `المتحدث باسم`, `السفير ... لدى`, `المبعوث ... إلى`.
TITLE_LINKS = _keys("باسم لدى في إلى الى عن لدولة")
# Parts of a name that do not count towards its length and never end it.
CONNECTORS = _keys("بن بنت ابن أبو أبي أم آل عبد ولد دي دا فون فان دو لا")
# Nouns that head an organisation's name.
ORG_HEADS = _keys(
    """
    وزارة منظمة حزب شركة مجموعة هيئة وكالة مجلس جامعة بنك مصرف اتحاد حركة جبهة لجنة محكمة قوات جيش سلاح
    كتائب سرايا تنظيم جماعة ائتلاف صندوق مؤسسة معهد متحف نادي منتخب صحيفة قناة مفوضية رابطة نقابة برلمان
    بلدية مديرية شرطة مكتب مركز جهاز ديوان نيابة مرصد إدارة وحدة خفر دار طيران برنامج مستشفى موسوعة فرقة
    تحالف حلف أكاديمية كلية مجمع شبكة إذاعة
    """
)
# Heads with the article (`الجيش`) are organisations only with a nationality, a place or an institutional
# adjective after them (`الجيش السوداني`, `المحكمة الدستورية`), never alone.
DEFINITE_ORG_HEADS = _keys(
    """
    الجيش البحرية القوات الحرس البنك المصرف الاتحاد المحكمة اللجنة المنتخب الشرطة الشركة البرلمان
    الاستخبارات المخابرات المركز المعهد الجهاز الديوان النيابة الهيئة السلطة الوكالة المنظمة المرصد المكتب
    الجامعة المتحف النادي الخطوط الرئاسة المجلس الحزب الحركة الجبهة الفرقة المستشفى الوزارة الصندوق
    البرنامج المفوضية الأكاديمية الكلية المؤسسة
    """
)
# Adjectives that make a definite head an institution's name.
ORG_ADJECTIVES = _keys(
    """
    الوطني الوطنية العليا الأعلى الدستوري الدستورية الملكي الملكية المركزي المركزية الاتحادي الاتحادية الدولي
    الدولية العام العامة المستقل المستقلة الأوروبي الأوروبية الأفريقي الأفريقية الإفريقي الإفريقية العربي
    العربية الإسلامي الإسلامية العالمي العالمية الأممي الأممية الجنائي الجنائية الفيدرالي الفيدرالية الشعبي
    الشعبية المسلحة السامية الرياضي الجوية البحري الإسلامية الخليجي الخليجية الجمهوري الديمقراطي
    الاشتراكي الاشتراكية الثوري المتحدة التجاري التجارية الأهلي الأهلية الكبير الكبرى
    الإقليمي الإقليمية البرلماني البرلمانية التشريعي التشريعية القضائي القضائية الانتخابي الانتخابية
    """
)
# Nouns that head a facility's or a landmark's name and belong to it (`مطار دبي الدولي`, `وادي الملوك`).
FACILITY_HEADS = _keys(
    """
    مطار ميدان ساحة مخيم ملعب ستاد جبل وادي سد نهر بحيرة مرفأ طريق شارع معبر محور مسجد المسجد كنيسة
    برج محطة هضبة خليج مضيق شلالات واحة قصر
    """
)
# Generic nouns before a place's name that are not part of it (`جزيرة ليسبوس` is tagged `ليسبوس`).
GENERIC_PLACE_HEADS = _keys("جزيرة بلدة قرية منطقة إقليم مدينة ميناء محافظة ولاية حي مقاطعة")
PLACE_HEADS = FACILITY_HEADS | GENERIC_PLACE_HEADS
# Organisation heads whose name is the proper noun after them (`شركة مايكروسوفت الأمريكية` -> مايكروسوفت).
NAME_ONLY_ORG_HEADS = _keys("شركة مجموعة نادي جماعة منظمة وكالة بنك مصرف")
# Name-only heads that also head an institution's own name when a nationality or an institutional adjective
# anchors it (`وكالة الأنباء الجزائرية`, `منظمة العفو الدولية`, `البنك الأهلي`).
INSTITUTION_NAME_HEADS = _keys("وكالة منظمة بنك مصرف")
# Heads common in generic phrases (`برنامج التمويل`, `مركز الأبحاث`): a name only with an adjective or more.
WEAK_ORG_HEADS = _keys("برنامج مركز مجلس مكتب صندوق وحدة إدارة دار مؤسسة شبكة فرقة مستشفى جهاز مجمع")
# Descriptions after an organisation's name, not part of it (`حزب النصر اليميني`).
ORG_DESCRIPTORS = _keys(
    """
    اليميني اليمينية اليساري اليسارية المعارض المعارضة الحاكم الحاكمة المتطرف المتطرفة الرسمي الرسمية
    المحلي المحلية الخاص الخاصة الحكومي الحكومية المدعوم المدعومة الموالي الموالية
    """
)
# A definite head that needs an institutional adjective, not just a nationality (`القوات المسلحة السودانية`).
HEADS_NEEDING_ADJECTIVE = _keys("القوات")
# Words after which a place is part of an event's name (`دوري أبطال أفريقيا`, `كأس العالم`).
EVENT_WORDS = _keys("أبطال كأس بطولة دوري ماراثون رالي جائزة مهرجان أولمبياد")
# Definite words that never continue an organisation's or a person's name.
NOT_NAME_PARTS = _keys(
    """
    الذي التي الذين اللذين اللتين اللواتي اليوم الأمس الماضي الماضية المقبل المقبلة الجاري الحالي الحالية
    الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت الآن أمس غدا الأخير الأخيرة ذلك هذا هذه
    إلى إلا
    """
)
# Function words and reporting verbs: never part of a name, however rare a given name before them is.
FUNCTION_WORDS = _keys(
    """
    في من على عن مع أن إن أو ثم لكن بل حتى قد لقد لم لن لا ما ماذا هل كما كذلك أيضا بعد قبل خلال منذ عند
    عندما حين حيث بين ضد نحو حول دون غير سوى كل بعض أي هو هي هم هما نحن أنا أنت تلك هؤلاء وقد وفي ومن
    وعلى وإلى وأن وهو وهي ولم ولا فقد فيما بينما إذ إذا لو كان كانت يكون تكون ليس ليست عبر لدى أمام خلف
    فوق تحت وسط داخل خارج جراء بسبب إثر عقب وفق وفقا بحسب حسب نفسه ذاته جدا أكثر أقل إنه أنه إنها أنها
    """
)
NEWS_VERBS = _keys(
    """
    قال قالت أكد أكدت أعلن أعلنت أوضح أوضحت أشار أشارت أضاف أضافت صرح صرحت كشف كشفت دعا دعت طالب طالبت
    شدد شددت اعتبر اعتبرت رأى رأت وصف وصفت نفى نفت أفاد أفادت ذكر ذكرت تابع تابعت لفت لفتت أبلغ أبلغت
    التقى التقت استقبل استقبلت زار زارت وقع وقعت غادر غادرت وصل وصلت أجرى أجرت بحث بحثت عقد عقدت ترأس
    ترأست حذر حذرت رحب رحبت أعرب أعربت أمر أمرت قرر قررت أصدر أصدرت أبدى أبدت وجه وجهت هدد هددت أدان
    أدانت انتقد انتقدت تعهد تعهدت اتهم اتهمت اعترف اعترفت أقر أقرت ألقى ألقت شارك شاركت فاز فازت خسر خسرت
    سجل سجلت حقق حققت قاد قادت انضم انضمت توفي توفيت قتل قتلت اعتقل اعتقلت أصيب أصيبت بدأ بدأت أنهى أنهت
    يقول تقول يرى ترى أجاب أجابت سأل سألت أعلنا قالا أكدا نقل نقلت تحدث تحدثت اجتمع اجتمعت يعد تعد
    """
)
# Given names that are also everyday adjectives or nouns (`سعيد` happy, `أمين` secretary, `أسماء` names): the
# word after them is a surname only with evidence (a known name part, a nisba, a rare word).
EVERYDAY_WORD_NAMES = _keys(
    """
    عادل نبيل هادي منصور ناصر راشد سالم صالح حميد سيف بدر عزيز غالب فارس صادق طاهر جمال كمال أمين سعيد
    كريم شريف فريد رائد جميل حكيم مالك سامي باسم رشيد زكي سليم أمل نور منى هدى سلام وفاء أميرة لطيفة نبيلة
    فريدة منيرة شيخة سعاد إيمان أسماء هالة مها خليفة سلطان عماد فؤاد ضياء بسمة صفاء غيث عزة
    تركي جمعة ناجح جهاد إسلام نصر نجم هلال رمضان يسرى علا وعد سحر نعمة زهرة أحلام حنين إلهام شهد جود
    حبيب فرج عوض مؤمن مصباح مبارك جين
    """
)
# Verbs of saying whose subject, right after them, is often a person named in full (`قال جون كيربي`).
REPORTING_VERBS = _keys("قال قالت أكد أكدت أوضح أوضحت صرح صرحت أضاف أضافت أشار أشارت اعتبر اعتبرت")
# Regnal and dynastic ordinals that end a name (`محمد السادس`, `تشارلز الثالث`).
REGNAL_ORDINALS = _keys("الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر عشر")
# A proclitic joined to the article (`للذكاء`, `والأمير`, `بالقاهرة`) never starts a name's word.
_CLITIC_ARTICLE = ("لل", "وال", "بال", "فال", "كال", "وبال", "ولل")
PUNCTUATION_STOP = frozenset(".,،;:؛!?؟()[]{}\"'«»“”-–—/|")
MAX_TITLE_COMPLEMENTS = 7
MAX_NAME_WORDS = 3
MAX_ORG_COMPLEMENTS = 5
WINDOW_TOKENS = 12  # enough for a title, its qualifiers and a name, or a head and its complements
PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل")
_PREVIOUS_WORD = re.compile(r"[\u0621-\u064a]+\s*$")


class ArabicRules:
    """People, organisations and places found by rules, given the gazetteer's word lists."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.first_names = gazetteer.first_names.get("ar", frozenset())
        common = gazetteer.common.get("ar", frozenset())
        person_words = {
            word
            for key, ids in gazetteer.names.items()
            if any(gazetteer.type_of(entity_id) == "PER" for entity_id in ids)
            for word in key.split()
        }
        # Name parts of known people stay usable, except the very frequent words some names contain.
        self.person_words = frozenset(person_words) - _most_frequent(gazetteer, 1000)
        self.common = common
        self.stop = (common - self.first_names - self.person_words) | NOT_NAME_PARTS
        self.known_words = gazetteer.known_words.get("ar", frozenset())
        self.nationalities = gazetteer.nationalities
        self.very_frequent = _most_frequent(gazetteer, 2000)
        # Words that end a name even after a given name no dictionary knows (`نواف سلام` but `نواف قال`).
        self.hard_stop = (
            (_most_frequent(gazetteer, 300) | FUNCTION_WORDS | NEWS_VERBS | NOT_NAME_PARTS) - self.first_names
        )  # `على` folds to the name `علي`: the original spelling tells them apart (`_is_preposition_ala`)
        # Given names that are not also everyday words: what follows them is a surname unless it cannot be.
        self.rare_first_names = self.first_names - EVERYDAY_WORD_NAMES - self.hard_stop
        self.triggers = self._build_triggers()

    # -- people -----------------------------------------------------------------------------------------

    def find(self, folded: Folded, hits: list[Hit]) -> list[Mention]:
        """Every rule-based PER, ORG and LOC mention in the Arabic parts of the text."""
        text = folded.text
        index = HitIndex(text, hits)
        found: list[Mention] = []
        window: list[Token] = []
        for end_index, (form, kinds) in self.triggers.iter(text):
            start = end_index + 1 - len(form)
            if (start > 0 and is_arabic_letter(text[start - 1])) or text[end_index + 1 : end_index + 2] != " ":
                continue  # inside a longer word, or nothing follows on the line to be a name
            if kinds == ("given",) and form == "علي" and folded.source[folded.end(end_index + 1) - 1] == "ى":
                continue  # `على` (on), not `علي` (Ali): the commonest trigger, dropped before any work
            if kinds == ("verb",) and not self._given_name_next(text, end_index + 2):
                continue  # `قال` is frequent: only a given name right after it makes a subject worth reading
            tokens, position = self._window(text, start, window)
            if position < 0:
                continue
            window = tokens
            coverage = Coverage(tokens, index)
            for kind in kinds:
                mention = self._at(kind, folded, tokens, position, coverage)
                if mention is not None:
                    found.append(mention)
        return found

    def _given_name_next(self, text: str, start: int) -> bool:
        """Whether the word at `start` is a given name (or a known person's first word)."""
        end = start
        while end < len(text) and is_arabic_letter(text[end]):
            end += 1
        word = text[start:end]
        return word in self.first_names or word in self.person_words

    @staticmethod
    def _window(text: str, start: int, previous: list[Token]) -> tuple[list[Token], int]:
        """Tokens from the word before `start` on, and the index of the token at `start` (-1 if none there).
        A window that already reaches far enough past `start` is reused instead of tokenizing again."""
        for index in range(1, len(previous)):
            if previous[index].start == start:
                if len(previous) - index >= WINDOW_TOKENS - 1:
                    return previous[index - 1 :], 1
                break
            if previous[index].start > start:
                break
        word_before = _PREVIOUS_WORD.search(text, max(0, start - 30), start)
        window_start = word_before.start() if word_before else start
        tokens = tokenize(text, window_start, WINDOW_TOKENS + 8)
        position = 0 if window_start == start else 1
        if position >= len(tokens) or tokens[position].start != start:
            return tokens, -1
        return tokens, position

    def _build_triggers(self) -> ahocorasick.Automaton:
        """Every surface form that can start a rule: titles, given names, organisation and place heads."""
        forms: dict[str, set[str]] = {}
        for title in TITLES:
            contracted = ("ل" + title[1:],) if title.startswith("ال") else ()  # ل + الملك -> للملك
            for form in (title, *contracted, *(clitic + title for clitic in "وفبلك")):
                forms.setdefault(form, set()).add("title")
        for name in self.first_names:
            forms.setdefault(name, set()).add("given")
        for verb in REPORTING_VERBS:
            for form in (verb, "و" + verb, "ف" + verb):
                forms.setdefault(form, set()).add("verb")
        for kind, heads in (("org", ORG_HEADS | DEFINITE_ORG_HEADS), ("place", PLACE_HEADS)):
            for head in heads:
                for form in (head, *(clitic + head for clitic in PROCLITICS if len(head) > 2)):
                    forms.setdefault(form, set()).add(kind)
        automaton = ahocorasick.Automaton()
        for form, kinds in forms.items():
            automaton.add_word(form, (form, tuple(sorted(kinds, key=_KIND_ORDER.index))))
        automaton.make_automaton()
        return automaton

    def _at(self, kind: str, folded: Folded, tokens: list[Token], index: int, coverage: Coverage) -> Mention | None:
        token = tokens[index]
        if kind == "title" and self._is_title(token.text):
            start = self._skip_title_complements(folded, tokens, index + 1, coverage)
            name = self._name_after(folded, tokens, start, coverage)
            return self._person(folded, tokens, name, "title.ar", 0.85) if name else None
        if kind == "given" and self._is_given_name(folded, token) and not self._title_before(tokens, index):
            name = self._name_after(folded, tokens, index, coverage, given_name=True)
            if name is not None and name[1] - name[0] >= 2:
                return self._person(folded, tokens, name, "given_name.ar", 0.6)
            return None
        if kind == "verb" and _without_proclitic(token.text, REPORTING_VERBS) is not None:
            # `قال ريتشارد هاس`: the subject after a reporting verb, if it has two name-like words.
            name = self._name_after(folded, tokens, index + 1, coverage)
            first = tokens[index + 1].text if index + 1 < len(tokens) else ""
            if name is not None and (name[2] is not None or (name[1] - name[0] >= 2 and first in self.first_names)):
                return self._person(folded, tokens, name, "verb.ar", 0.6)
            return None
        if kind == "org":
            return self._organisation_at(folded, tokens, index, coverage)
        if kind == "place":
            return self._place_at(folded, tokens, index, coverage)
        return None

    def _is_given_name(self, folded: Folded, token: Token) -> bool:
        return token.is_arabic and token.text in self.first_names and not _is_preposition_ala(folded, token)

    def _is_title(self, word: str) -> bool:
        if word in TITLES:
            return True
        if word.startswith("لل") and "ا" + word[1:] in TITLES:
            return True  # `للملك`, `للرئيس`
        return len(word) > 3 and word[0] in "وفبلك" and word[1:] in TITLES

    def _title_before(self, tokens: list[Token], index: int) -> bool:
        return index > 0 and tokens[index - 1].is_arabic and self._is_title(tokens[index - 1].text)

    def _skip_title_complements(self, folded: Folded, tokens: list[Token], index: int, coverage: Coverage) -> int:
        """The index of the first token after the title's qualifiers (office, nationality, place, body)."""
        skipped = 0
        while index < len(tokens) and skipped < MAX_TITLE_COMPLEMENTS:
            token = tokens[index]
            word = token.text
            covered = coverage.at(index)
            if covered is not None and self._hit_type(covered[0]) in {"LOC", "ORG"}:
                index = covered[1] + 1
            elif self._qualifies_title(word, more_follow=index + 1 < len(tokens)):
                index += 1
            else:
                break
            skipped += 1
        return index

    def _qualifies_title(self, word: str, *, more_follow: bool) -> bool:
        """Whether a word between a title and a name belongs to the title (office, nationality, body)."""
        if word in TITLE_COMPLEMENTS or word in self.nationalities or word in TITLES:
            return True
        if word in TITLE_LINKS:
            return more_follow
        if len(word) > 3 and word[0] in "ول" and (word[1:] in TITLE_COMPLEMENTS or word[1:] in ORG_HEADS):
            return True  # `ووزير الدفاع`, `لشركة`, `للشؤون`
        if word.startswith("لل") and len(word) > 4:
            return True  # `الرئيس التنفيذي للشركة`
        # `المدير الفني`, `وزيرة التضامن`
        return word.startswith("ال") and word in self.known_words and word not in self.person_words

    def _name_after(
        self, folded: Folded, tokens: list[Token], index: int, coverage: Coverage, *, given_name: bool = False
    ) -> tuple[int, int, str | None] | None:
        """(first token, token after the last, known person id) of the name starting at `index`, if any."""
        covered = coverage.at(index) if index < len(tokens) else None
        if covered is not None:
            hit, last = covered
            person = next((i for i in hit.ids if self.gazetteer.type_of(i) == "PER"), None)
            if person is None:
                return None
            end = last + 1
            if (  # `طحنون بن زايد آل نهيان`: a known name continued by its family name
                end + 1 < len(tokens)
                and tokens[end].text in ("ال", "آل")
                and tokens[end].start == tokens[end - 1].end + 1
                and tokens[end + 1].is_arabic
                and tokens[end + 1].start == tokens[end].end + 1
            ):
                end += 2
            return (index, end, person)
        words = 0
        end = index
        while end < len(tokens) and words < MAX_NAME_WORDS:
            token = tokens[end]
            word = token.text
            if not token.is_arabic or (end > index and tokens[end - 1].end != token.start - 1):
                break  # punctuation, digits, Latin, or a line break inside the name
            if _is_preposition_ala(folded, token):
                break
            if word in CONNECTORS:
                end += 1
                while (
                    end < len(tokens)
                    and tokens[end].text in CONNECTORS
                    and tokens[end].start == tokens[end - 1].end + 1
                ):
                    end += 1  # `بن عبد الله`: connectors in a row
                token = tokens[end - 1]
                following = tokens[end] if end < len(tokens) else None
                if (
                    following is not None
                    and following.is_arabic
                    and following.start == token.end + 1
                    and following.text not in NOT_NAME_PARTS
                    and not self._is_title(following.text)
                ):
                    end += 1  # `عبد الله`, `أبو الغيط`, `بن سلمان`: the word after a connector is a name
                    words += 1
                continue
            if word == "الدين" and end > index and tokens[end - 1].text in self.first_names:
                end += 1  # `نور الدين`, `صلاح الدين`
                continue
            if word in REGNAL_ORDINALS and words > 0 and word != "عشر":
                end += 1  # `محمد السادس`, `رمسيس الثاني`: an ordinal ends the name
                if end < len(tokens) and tokens[end].text == "عشر":
                    end += 1
                words += 1
                break
            previous = tokens[end - 1].text if end > index else None
            if not self._may_be_name_word(word, position=words, given_name=given_name, previous=previous):
                break
            if words > 0 and self._pronoun_suffixed(folded, token):
                break  # `نتنياهو أبلغه`: a verb or noun with an attached pronoun
            covered = coverage.at(end)
            if covered is not None and self._hit_type(covered[0]) != "PER":
                break
            end += 1
            words += 1
        while end > index and tokens[end - 1].text in CONNECTORS:
            end -= 1
        if words == 0 or end == index:
            return None
        text_key = " ".join(token.text for token in tokens[index:end])
        if words == 1 and given_name:
            return None
        if words == 1 and text_key in self.stop:
            return None
        return (index, end, self.gazetteer.entity_named(text_key, "PER"))

    def _may_be_name_word(
        self, word: str, *, position: int, given_name: bool, previous: str | None = None
    ) -> bool:
        if len(word) < 2 or word in NOT_NAME_PARTS or self._is_title(word) or word in TITLE_COMPLEMENTS:
            return False
        if word in self.nationalities or word in self.hard_stop or _has_clitic_article(word):
            return False
        if word.endswith("ا") and word[:-1] in self.known_words and word not in self.first_names:
            return False  # `عروضا`: an accusative noun, not a name
        if position > 0 and len(word) > 3 and word[0] == "و" and (
            word[1:] in self.first_names or word[1:] in self.known_words
        ):
            return False  # `جو بايدن وأمير`, `حسن خليل وغازي`: a conjunction starts the next phrase
        if word in self.first_names or word in self.person_words:
            return position > 0 or word in self.first_names or not given_name
        if position == 0 and (word.startswith("ال") or word in self.stop or _looks_like_verb_or_suffixed(word)):
            return False  # a name after a title starts with a given name or a rare word, not `التحديات`
        if position == 0 and word in self.known_words and given_name:
            return False
        if position == 2 and _looks_like_verb_or_suffixed(word):
            return False  # `طارق البيطار تحقيقاته`, `البيطار يستأنف`
        if position == 2 and word.startswith("ال"):
            return self._likely_name_word(word)  # `محمد بن سلمان الطاقم`, `أنغيلا ميركل الأبواب`
        if position > 0 and word.startswith("ال") and word not in self.very_frequent:
            return True  # family names are often ordinary words with the article (`الخطيب`)
        if position == 1 and previous in self.rare_first_names and self._surname_after_rare_given(word):
            return True  # `نواف سلام`, `عزمي محافظة`, `مونيكا مالك`: everyday words as surnames
        if given_name and position == 1 and previous in EVERYDAY_WORD_NAMES:
            return self._likely_name_word(word) and word not in self.stop  # `سعيد الأسبوع` is no name
        if word in self.stop:
            return False
        if word[0] in "وفلب" and (word[1:] in self.stop or self._is_title(word[1:])):
            return False
        if given_name:
            if position == 1 and not word.endswith("يه") and not _looks_like_verb_or_suffixed(word):
                return word[0] not in "وفبل" or word in self.first_names
            return position > 0 and self._likely_name_word(word)
        # The third word of a name needs evidence it is one (names run into the verb that follows).
        return position < 2 or self._likely_name_word(word)

    def _surname_after_rare_given(self, word: str) -> bool:
        """Whether a word right after a given name that is not an everyday word can be its surname."""
        if word.endswith("يه") or _looks_like_verb_or_suffixed(word) or word.startswith("ال"):
            return False
        if word[0] in "وفبل" and (word[1:] in self.known_words or word[1:] in self.first_names):
            return False  # `وأمير`, `لمصر`: a proclitic on a known word
        return not (word.endswith("ا") and word[:-1] in self.known_words)  # `عروضا`: an accusative noun

    def _pronoun_suffixed(self, folded: Folded, token: Token) -> bool:
        """A known word with an attached `ه` pronoun (`أبلغه`), told from ta marbuta by the original spelling."""
        word = token.text
        if len(word) < 4 or word[-1] != "ه" or word[:-1] not in self.known_words:
            return False
        return folded.source[folded.end(token.end) - 1 : folded.end(token.end)] == "ه"

    def _likely_name_word(self, word: str) -> bool:
        """Evidence that a word after a given name is a name: a known name part, a nisba or a rare word."""
        if word in self.first_names or word in self.person_words or word not in self.known_words:
            return True
        return word.startswith("ال") and word.endswith("ي") and word not in self.nationalities

    def _person(
        self, folded: Folded, tokens: list[Token], name: tuple[int, int, str | None], method: str, confidence: float
    ) -> Mention:
        """A PER mention for tokens[first:end], with the known person's canonical name and id if any."""
        first, end, person = name
        start_offset, end_offset = tokens[first].start, tokens[end - 1].end
        canonical = self.gazetteer.canonical(person) if person else folded.source[
            folded.start(start_offset) : folded.end(end_offset)
        ]
        return Mention(
            folded.start(start_offset),
            folded.end(end_offset),
            "PER",
            canonical,
            person,
            "ar",
            confidence if person is None else 0.95,
            method if person is None else "gazetteer+" + method,
            priority=2,
        )

    def _hit_type(self, hit: Hit) -> str:
        return self.gazetteer.type_of(hit.ids[0]) if hit.ids else ""

    # -- organisations ----------------------------------------------------------------------------------

    def _organisation_at(
        self, folded: Folded, tokens: list[Token], index: int, coverage: Coverage
    ) -> Mention | None:
        """`وزارة الخارجية السودانية`, `قوات الدفاع البحري اليابانية`, `المحكمة الدستورية`, `شركة هواوي`."""
        token = tokens[index]
        word = _without_proclitic(token.text, _ALL_ORG_HEADS)
        if word is None:
            return None
        following = coverage.at(index + 1)
        start_offset = token.start + len(token.text) - len(word)
        if following is not None and self._hit_type(following[0]) == "ORG":
            end = self._lam_phrase(tokens, following[1] + 1)
            if end > following[1] + 1 and word in _HEADS_BEFORE_A_BODY:  # `برنامج الأمم المتحدة للبيئة`
                return self._pattern(folded, start_offset, tokens[end - 1].end, "ORG", 0.75)
            return None  # `جماعة حزب الله`, `وكالة ناسا`: the known name stands alone
        if word in NAME_ONLY_ORG_HEADS:
            span = self._proper_name(tokens, index + 1, coverage)
            if span is not None:
                return self._pattern(folded, tokens[span[0]].start, tokens[span[1] - 1].end, "ORG", 0.7)
            if word not in INSTITUTION_NAME_HEADS:
                return None  # `شركة الإسمنت الفرنسية`: a description, not a name
            end, anchored = self._org_complements(tokens, index + 1, coverage, word)
            if not anchored:
                return None
            return self._pattern(folded, start_offset, tokens[end - 1].end, "ORG", 0.75)  # `وكالة الأنباء الجزائرية`
        end, anchored = self._org_complements(tokens, index + 1, coverage, word)
        if end == index + 1 or (word in DEFINITE_ORG_HEADS and not anchored):
            return None
        if word in WEAK_ORG_HEADS and not anchored and end - index < 3:
            return None
        return self._pattern(folded, start_offset, tokens[end - 1].end, "ORG", 0.75)

    def _pattern(self, folded: Folded, start_offset: int, end_offset: int, type_: str, confidence: float) -> Mention:
        """An ORG or LOC mention found by a head-noun pattern, linked to the known entity of that name if any."""
        entity_id = self.gazetteer.entity_named(folded.text[start_offset:end_offset], type_)
        return Mention(
            folded.start(start_offset),
            folded.end(end_offset),
            type_,
            self.gazetteer.canonical(entity_id) if entity_id else folded.source[
                folded.start(start_offset) : folded.end(end_offset)
            ],
            entity_id,
            "ar",
            0.95 if entity_id else confidence,
            f"pattern.{type_.lower()}.ar",
            priority=1,
        )

    def _proper_name(self, tokens: list[Token], index: int, coverage: Coverage) -> tuple[int, int] | None:
        """One to three adjacent words that are neither frequent nor definite (`غولدمان ساكس`), if any."""
        end = index
        while end < len(tokens) and end - index < 3:
            token = tokens[end]
            if not token.is_arabic or tokens[end - 1].end != token.start - 1:
                break
            word = token.text
            if not self._proper_word(word) or coverage.at(end) is not None:
                break
            end += 1
        return (index, end) if end > index else None

    def _proper_word(self, word: str) -> bool:
        """A word that can be (part of) a proper name: not frequent, not definite, not an adjective, a verb
        or a word with a clitic or a suffix."""
        if word.startswith("ال") or word in self.common or word in self.nationalities or len(word) < 2:
            return False
        if word[0] in "وفبل" and (word[1:] in self.common or word[1:].startswith("ال")):
            return False
        return not (word.endswith("يه") or _looks_like_verb_or_suffixed(word))

    def _org_complements(
        self, tokens: list[Token], index: int, coverage: Coverage, head: str
    ) -> tuple[int, bool]:
        """The end of an organisation's name after its head, and whether a nationality, place or institutional
        adjective anchors it. Once anchored, only more adjectives or one `ل` phrase may follow."""
        end = index
        count = 0
        anchored = False
        by_nationality = False
        after_indefinite = True  # the head itself is an indefinite noun in construct
        while end < len(tokens) and count < MAX_ORG_COMPLEMENTS:
            token = tokens[end]
            if not token.is_arabic or tokens[end - 1].end != token.start - 1:
                break
            word = token.text
            covered = coverage.at(end)
            if word in self.nationalities or word in ORG_ADJECTIVES:
                if count == 0 and head in HEADS_NEEDING_ADJECTIVE and word not in ORG_ADJECTIVES:
                    break
                end, count, anchored = end + 1, count + 1, True
                by_nationality = word in self.nationalities
                continue
            if anchored:
                if word.startswith("وال") and word[1:] not in ORG_DESCRIPTORS and not by_nationality:
                    end, count = end + 1, count + 1  # `وزارة الصحة العامة والسكان`
                    continue
                return self._lam_phrase(tokens, end), True
            if covered is not None and self._hit_type(covered[0]) == "LOC":
                if covered[0].start != token.start:
                    break  # the place carries a clitic: `في` or `ب` phrase, not part of the name
                end, count, anchored = covered[1] + 1, count + 1, True
                continue
            if covered is not None and self._hit_type(covered[0]) == "PER" and count == 0:
                return self._lam_phrase(tokens, covered[1] + 1), True  # `جامعة محمد بن زايد للذكاء ...`
            if word in NOT_NAME_PARTS or word in ORG_DESCRIPTORS or self._is_title(word) or word in PLACE_HEADS:
                break
            if word.startswith("ال"):
                if count > 0 and not after_indefinite and not _adjective_like(word):
                    break  # `صندوق النقد التوصل`: a second definite noun starts a new phrase
                end, count, after_indefinite = end + 1, count + 1, False
                continue
            if count > 0 and word.startswith("وال"):
                end, count, after_indefinite = end + 1, count + 1, False
                continue
            if count > 0 and word.startswith("لل"):
                return self._lam_phrase(tokens, end), anchored  # `منظمة الأغذية والزراعة للأمم المتحدة`
            if count > 0 and word[0] == "ل" and word[1:] not in self.stop:
                lam_end = self._lam_phrase(tokens, end)
                if lam_end > end:
                    return lam_end, anchored
                break
            if count == 0 and word not in self.stop and word not in self.first_names and self._indefinite_ok(word):
                end, count, after_indefinite = end + 1, count + 1, True  # `حركة أمل`, `مجلس حقوق الإنسان`
                continue
            if count == 0 and self._construct_noun(tokens, end):
                end, count, after_indefinite = end + 1, count + 1, True  # `محكمة أمن الدولة`
                continue
            break
        return end, anchored

    def _construct_noun(self, tokens: list[Token], index: int) -> bool:
        """An everyday indefinite noun in construct with a definite one after the head (`أمن الدولة`,
        `مكافحة المخدرات`): not a function word, a verb or an adjective, and a definite noun follows."""
        word = tokens[index].text
        if word in self.hard_stop or word in self.nationalities or word[0] in "وفبل" or not self._indefinite_ok(word):
            return False
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        return (
            following is not None
            and following.is_arabic
            and following.start == tokens[index].end + 1
            and following.text.startswith("ال")
            and following.text not in NOT_NAME_PARTS
            and following.text not in self.hard_stop
        )

    @staticmethod
    def _indefinite_ok(word: str) -> bool:
        """An indefinite word after a head: not an adjective (`محكمة فدرالية`), a `ل` phrase or a suffixed word."""
        return not (word.endswith("يه") or word.startswith("لل") or _looks_like_verb_or_suffixed(word))

    def _lam_phrase(self, tokens: list[Token], index: int) -> int:
        """The end of a `ل` phrase completing a name (`للهجرة واللاجئين`, `لحقوق الإنسان`), or `index`."""
        if index >= len(tokens) or not tokens[index].is_arabic or tokens[index - 1].end != tokens[index].start - 1:
            return index
        word = tokens[index].text
        if not word.startswith("ل") or word.startswith("ال") or len(word) < 4:
            return index
        end = index + 1
        if not word.startswith("لل"):
            # `لتنسيق الشؤون`, `لمكافحة الإرهاب`: an indefinite noun needs its definite complement.
            if end >= len(tokens) or not tokens[end].text.startswith("ال"):
                return index
            end += 1
        while end < len(tokens) and end - index < 4 and tokens[end - 1].end == tokens[end].start - 1:
            word = tokens[end].text
            if word in ORG_DESCRIPTORS or word in NOT_NAME_PARTS:
                break
            if word.startswith("وال") or word in ORG_ADJECTIVES or _adjective_like(word):
                end += 1  # `للأمم المتحدة`, `للتعبئة العامة والإحصاء`
            else:
                break
        return end

    # -- places -----------------------------------------------------------------------------------------

    def _place_at(self, folded: Folded, tokens: list[Token], index: int, coverage: Coverage) -> Mention | None:
        """Facilities and landmarks named with their head noun (`مطار دبي الدولي`, `وادي الملوك`), and proper
        names after a generic place noun (`جزيرة ليسبوس` -> ليسبوس)."""
        token = tokens[index]
        word = _without_proclitic(token.text, PLACE_HEADS)
        if word is None:
            return None
        if word in GENERIC_PLACE_HEADS:
            if coverage.at(index + 1) is None:
                span = self._place_name(tokens, index + 1)
                if span is not None:
                    return self._pattern(folded, tokens[span[0]].start, tokens[span[1] - 1].end, "LOC", 0.7)
            return None
        end = self._place_complements(tokens, index + 1, coverage, strict=word in _STRICT_PLACE_HEADS)
        if end == index + 1:
            return None
        start_offset = token.start + len(token.text) - len(word)
        return self._pattern(folded, start_offset, tokens[end - 1].end, "LOC", 0.7)

    def _place_name(self, tokens: list[Token], index: int) -> tuple[int, int] | None:
        """A rare word, perhaps with a second one (`خطم الشكلة`, `الأهوار`), after a generic place noun."""
        end = index
        while end < len(tokens) and end - index < 2:
            token = tokens[end]
            if not token.is_arabic or tokens[end - 1].end != token.start - 1:
                break
            word = token.text
            if word in self.known_words or word in NOT_NAME_PARTS or word.endswith("يه"):
                break
            if (word[0] in "وفبل" and not word.startswith("ال")) or _looks_like_verb_or_suffixed(word):
                break
            end += 1
        return (index, end) if end > index else None

    def _place_complements(self, tokens: list[Token], index: int, coverage: Coverage, *, strict: bool) -> int:
        end = index
        count = 0
        while end < len(tokens) and count < 3:
            token = tokens[end]
            if not token.is_arabic or tokens[end - 1].end != token.start - 1:
                break
            word = token.text
            covered = coverage.at(end)
            if covered is not None and self._hit_type(covered[0]) in {"LOC", "PER"}:
                if covered[0].start != token.start:
                    break  # `بالقاهرة`: a clitic starts a new phrase
                end = covered[1] + 1
                count += 1
                continue
            if word in NOT_NAME_PARTS or word in self.nationalities or (self._is_title(word) and count > 0):
                break
            if count > 0 and (word in ORG_ADJECTIVES or word in ("الكبير", "الكبرى", "الصغير", "الصغرى")):
                end += 1
                count += 1
                continue
            if word in self.first_names or word in self.person_words:
                end += 1
                count += 1
                continue
            if word not in self.known_words and not word.endswith("ه") and word[0] not in "وفبل":
                end += 1  # a rare word, not a feminine adjective (`جزر نائية`): a proper name
                count += 1
                continue
            if count == 0 and word.startswith("ال") and (not strict or word in ("الشيخ", "الملك", "الأمير")):
                end += 1
                count += 1
                continue
            break
        return end


_STRICT_PLACE_HEADS = _keys("ساحة طريق شارع")


_KIND_ORDER = ("title", "given", "verb", "org", "place")
# Heads that name a programme or office of a known body (`برنامج الأمم المتحدة للبيئة`).
_HEADS_BEFORE_A_BODY = WEAK_ORG_HEADS | _keys("منظمة هيئة وكالة مفوضية بعثة")
_ALL_ORG_HEADS = ORG_HEADS | DEFINITE_ORG_HEADS


def _adjective_like(word: str) -> bool:
    """A definite nisba adjective (`البحري`, `الاجتماعية`) rather than a noun."""
    return word.startswith("ال") and (word.endswith("ي") or word.endswith("يه"))


def _looks_like_verb_or_suffixed(word: str) -> bool:
    """An imperfect verb (`يستأنف`) or a noun with a possessive suffix (`تحقيقاته`)."""
    return (len(word) >= 4 and word[0] in "يت") or word.endswith(("ها", "هم", "هما", "ته"))


def _most_frequent(gazetteer: Gazetteer, count: int) -> frozenset[str]:
    """The `count` most frequent Arabic words."""
    return frozenset(gazetteer.frequent_ar[:count])


def _has_clitic_article(word: str) -> bool:
    """A proclitic joined to the article (`للذكاء`, `والأمير`): a phrase, not a name's word."""
    return any(word.startswith(prefix) and len(word) > len(prefix) + 2 for prefix in _CLITIC_ARTICLE)


def _is_preposition_ala(folded: Folded, token: Token) -> bool:
    """`على` (on) folds to `علي` (Ali): the original spelling tells them apart."""
    if token.text != "علي":
        return False
    return folded.source[folded.end(token.end) - 1 : folded.end(token.end)] == "ى"


def _without_proclitic(word: str, heads: frozenset[str]) -> str | None:
    """`word` or `word` without one proclitic (`وزارة`, `لوزارة`, `والجيش`) if that is a head noun."""
    if word in heads:
        return word
    for length in (1, 2):
        if len(word) > length + 2 and word[:length] in {"و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل"}:
            rest = word[length:]
            if rest in heads:
                return rest
    return None
