"""Greetings, thanks and insults in tg/ru/en, so the bot can answer kindly
instead of searching. A message counts as small talk only when nothing but
small-talk words (and fillers such as "брат", "ака", "very") is left in it:
"салом, патентамро чӣ хел гирам?" is a question, not a greeting.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.search.normalize import fold, normalize

# Phrases are matched on folded text (see normalize.fold); Latin spellings too.
_LEXICON: dict[str, dict[str, tuple[str, ...]]] = {
    "greeting": {
        "tg": ("салом", "ассалом", "ассалому алейкум", "ассалому алайкум", "ассаламу алейкум",
               "салом алейкум", "салом алайкум", "салому алайкум", "ваалейкум ассалом",
               "ҳолатон чӣ хел", "ҳолат чӣ хел", "корҳо чӣ хел", "чӣ хел ҳастед", "чӣ хел ҳастӣ",
               "нағз ҳастед", "хуш омадед", "субҳ ба хайр", "шаб ба хайр", "рӯз ба хайр",
               "salom", "assalom", "assalomu alaykum", "assalomu aleykum", "holat chi hel",
               "hubmi", "хубмӣ", "хубми", "саломат бошед", "дуруд"),
        "ru": ("привет", "приветик", "здравствуйте", "здравствуй", "здрасте", "здорово",
               "добрый день", "доброе утро", "добрый вечер", "доброй ночи", "салам",
               "салам алейкум", "ас салям алейкум", "салям", "как дела", "как ты",
               "как вы", "как жизнь", "как поживаете", "хай", "приветствую",
               "privet", "zdravstvuyte", "zdrastvuyte", "salam", "kak dela", "dobryy den"),
        "en": ("hi", "hello", "hey", "hiya", "good morning", "good afternoon",
               "good evening", "greetings", "howdy", "how are you", "how r u", "whats up",
               "what s up", "sup"),
    },
    "thanks": {
        "tg": ("раҳмат", "ташаккур", "ташаккури зиёд", "саломат бошед", "барака ёбед",
               "худо хайр диҳад", "ёрӣ расондед", "ёрдам кардед", "кӯмак кардед", "хеле хуб",
               "rahmat", "tashakkur", "rakhmat", "сипос", "миннатдорам", "қуллуқ"),
        "ru": ("спасибо", "спс", "благодарю", "большое спасибо", "спасибочки", "пасиба",
               "помогли", "помог", "помогло", "очень помогли", "выручили", "выручил",
               "рахмат", "spasibo", "spasib", "spc", "пасибо", "благодарствую"),
        "en": ("thanks", "thank you", "thank u", "thx", "thanx", "many thanks",
               "much appreciated", "appreciate it", "helpful", "very helpful", "you helped",
               "that helped", "great help", "cheers"),
    },
    # "I have a question" with no question yet: invite it instead of guessing a topic.
    "request": {
        "tg": ("савол дорам", "як савол дорам", "як савол", "савол", "саволам ҳаст",
               "пурсидан мумкин", "як чиз пурсам", "пурсам мешавад", "кӯмак кунед",
               "ёрдам кунед", "savol doram", "yak savol", "savol", "чӣ кор кунам",
               "ҳоло чӣ кор кунам", "chi kor kunam"),
        "ru": ("у меня вопрос", "у меня есть вопрос", "есть вопрос", "вопрос", "один вопрос",
               "можно вопрос", "можно спросить", "хочу спросить", "подскажите",
               "помогите пожалуйста", "vopros", "est vopros", "mozhno vopros", "что делать",
               "что мне делать", "chto delat"),
        "en": ("i have a question", "i have question", "a question", "question",
               "can i ask", "can i ask something", "i want to ask", "quick question",
               "can you help me", "help me please", "i need help", "what should i do",
               "what do i do", "what can i do"),
    },
    "insult": {
        "tg": ("аблаҳ", "аҳмақ", "беақл", "бефоида", "ҳеҷ чиз намефаҳмӣ", "намефаҳмӣ",
               "нодон", "гунг", "ахмак", "abla", "ahmaq", "befoida", "кор намекунӣ",
               "бекора", "ҳеҷ чиз намедонӣ", "намедонӣ"),
        "ru": ("тупой", "тупая", "тупица", "дурак", "идиот", "дебил", "кретин", "придурок",
               "бесполезный", "бесполезная", "бестолковый", "ничего не понимаешь",
               "ничего не знаешь", "не понимаешь", "отстой", "фигня", "ерунда", "тупо",
               "глупый", "tupoy", "durak", "idiot", "debil", "урод", "лох", "хрень"),
        "en": ("stupid", "dumb", "idiot", "useless", "moron", "you suck", "sucks",
               "garbage", "trash", "rubbish", "worthless", "pathetic", "crap",
               "you don t understand", "you understand nothing", "you know nothing",
               "bullshit", "dumbass", "shut up"),
    },
}

# Words that may surround small talk without turning it into a question.
_FILLERS: frozenset[str] = frozenset(fold(w) for w in (
    # tg
    "ака", "бародар", "додар", "апа", "хоҳар", "ҷон", "азиз", "хеле", "бисёр", "зиёд", "ту",
    "шумо", "бот", "ботҷон", "ҳам", "ва", "ба", "шумо", "ман", "мо", "аз", "барои", "хуб",
    "aka", "bro", "jon", "hele", "tu", "shumo", "ин", "чиз", "ҳеҷ", "аст", "ҳастӣ",
    # ru
    "брат", "братан", "братишка", "бро", "друг", "дорогой", "дорогие", "очень", "большое",
    "вам", "тебе", "ты", "вы", "бот", "всем", "все", "всё", "и", "а", "ну", "же", "так",
    "это", "такой", "такая", "ваще", "вообще", "огромное", "просто", "ещё", "еще", "уважаемый",
    "brat", "ochen", "vam", "tebe", "ty", "vy", "reb", "ребята", "там", "у", "тебя",
    # en
    "a", "lot", "so", "much", "very", "you", "u", "man", "bro", "brother", "dear", "all",
    "bot", "there", "guys", "again", "really", "are", "is", "it", "this", "that", "s",
    "the", "for", "your", "and", "too", "again", "sir", "friend", "such", "so",
))

_KIND_ORDER = ("insult", "thanks", "request", "greeting")  # the reply that matters most wins a tie
_MAX_WORDS = 10
_LANG_ORDER = ("tg", "ru", "en")


@dataclass(frozen=True)
class SmallTalk:
    kind: str  # "greeting" | "thanks" | "request" | "insult"
    lang: str  # language of the words that matched


def _compile() -> list[tuple[tuple[str, ...], str, str]]:
    phrases = []
    for kind, by_lang in _LEXICON.items():
        for lang, items in by_lang.items():
            for item in items:
                words = tuple(fold(normalize(item)).split())
                if words:
                    phrases.append((words, kind, lang))
    # Longest phrases first so "ничего не понимаешь" wins over "не".
    phrases.sort(key=lambda p: len(p[0]), reverse=True)
    return phrases


_PHRASES = _compile()
# Phrases by their first word: a message is checked only against phrases that
# can start at one of its words.
_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
for _phrase in _PHRASES:
    _BY_FIRST.setdefault(_phrase[0][0], []).append(_phrase)


def lexicon_samples() -> list[tuple[str, str]]:
    """(language, phrase) pairs: extra training text for language detection."""
    return [(lang, item) for by_lang in _LEXICON.values()
            for lang, items in by_lang.items() for item in items]


def classify(text: str) -> SmallTalk | None:
    """The small-talk kind of a message, or None when it asks something."""
    words = fold(normalize(text)).split()
    if not words or len(words) > _MAX_WORDS:
        return None
    used = [False] * len(words)
    weight: dict[tuple[str, str], int] = {}
    candidates = {p for w in set(words) for p in _BY_FIRST.get(w, ())}
    # Longest phrases first; a phrase in several lexicons ("рахмат") goes to the first
    # language in _LANG_ORDER, never to whatever order a set happens to iterate in.
    ordered = sorted(candidates, key=lambda p: (-len(p[0]), _LANG_ORDER.index(p[2]),
                                                _KIND_ORDER.index(p[1]), p[0]))
    for phrase, kind, lang in ordered:
        size = len(phrase)
        for i in range(len(words) - size + 1):
            if tuple(words[i:i + size]) == phrase and not any(used[i:i + size]):
                for j in range(i, i + size):
                    used[j] = True
                weight[(kind, lang)] = weight.get((kind, lang), 0) + size
    if not weight:
        return None
    if any(not u and w not in _FILLERS and not w.isdigit() for w, u in zip(words, used,
                                                                         strict=True)):
        return None
    kinds = {k for k, _ in weight}
    kind = next(k for k in _KIND_ORDER if k in kinds)
    lang = max((lg for k, lg in weight if k == kind),
               key=lambda lg: (weight[(kind, lg)], -_LANG_ORDER.index(lg)))
    return SmallTalk(kind=kind, lang=lang)
