"""Topics the bot does not cover but whose words overlap with ones it does.

"Patent for my invention", "passport for my dog", "visa for Turkey" or
"registration in Kazakhstan" share their key word with a real article, so the
similarity score alone cannot reject them (shared/research/nlp-notes.md). A
message that matches one of these rules is never answered confidently.

Each rule is a list of word groups; it fires when every group has a word in
the message. A pattern ending in "*" matches a word prefix, otherwise the
whole word. Patterns are written folded (ҳ→х, қ→к, ё→е, no ь/ъ).
"""

from __future__ import annotations

from bot.search.normalize import fold, normalize
from bot.search.translit import to_cyrillic

_RUSSIA = ("росси*", "русия*", "руссия*", "russia*", "рф", "rf", "москв*", "маскав*",
           "moscow*", "moskv*", "питер*", "петербург*", "petersburg*", "piter*")

_OTHER_COUNTRIES = (
    "казахстан*", "казакстан*", "kazakhstan*", "kazakstan*", "узбекистан*", "uzbekistan*",
    "кыргызстан*", "киргизи*", "кыргызи*", "kyrgyz*", "kirgiz*", "туркия*", "турци*",
    "туркия", "туркияи",
    "turkey", "turkiye", "turkiya", "истанбул*", "стамбул*", "istanbul*", "корея*", "корею",
    "кореи", "korea*", "европ*", "europe*", "германи*", "germany", "олмон*", "польш*",
    "poland", "америк*", "america*", "usa", "сша", "дубай*", "dubai*", "оаэ", "uae",
    "emirates", "китай*", "хитой*", "china", "япони*", "japan", "англия", "англии", "england",
    "британи*", "britain", "беларус*", "белорус*", "belarus*", "украин*", "ukrain*", "грузия",
    "грузии", "georgia", "азербайджан*", "armenia*", "армени*", "финлянд*", "finland",
    "латви*", "литв*", "эстони*", "чехи*", "czech*", "канад*", "canada", "итали*", "italy",
    "франци*", "france", "испани*", "spain", "саудов*", "saudi", "иран*", "iran",
    "афганистан*", "afghanistan*", "пакистан*", "pakistan*", "индия*", "india",
)

# Each rule: (name, groups). The message must hit every group.
_RULES: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("weather", (("погод*", "weather", "forecast*", "хаво", "хавои", "pogod*", "havo",
                  "дожд*", "снег", "снегопад*", "градус*", "rain*", "snow*", "sunny"),)),
    ("money_transfer", (("отправ*", "перевест*", "перевед*", "перевод", "перекин*", "пересл*",
                         "send*", "transfer*", "wire", "remit*", "фирист*", "firist*",
                         "otprav*", "perevest*"),
                        ("деньг*", "денег", "money", "пул", "пулро", "pul", "dengi", "deneg",
                         "cash"))),
    ("sport", (("футбол*", "football", "soccer", "futbol*", "матч*", "match", "хоккей*",
                "hockey", "бокс*", "boxing", "ufc", "mma", "чемпионат*", "championship",
                "лига*", "league", "спартак*", "spartak", "зенит*", "zenit", "цска", "cska",
                "локомотив*", "истиклол*", "istiqlol*", "istiklol*", "барселон*", "barcelona",
                "манчестер*", "выиграл*", "проиграл*", "won", "win", "burd", "бурд"),
               ("футбол*", "football", "soccer", "futbol*", "матч*", "match", "хоккей*",
                "hockey", "бокс*", "boxing", "ufc", "mma", "чемпионат*", "championship",
                "лига*", "league", "спартак*", "spartak", "зенит*", "zenit", "цска", "cska",
                "локомотив*", "истиклол*", "istiqlol*", "istiklol*", "барселон*", "barcelona",
                "манчестер*", "team", "команд*", "терма"))),
    ("religion", (("рамадан*", "ramadan*", "рамазон*", "ramazon*", "ураза*", "ифтор*",
                   "iftor*", "iftar*", "намоз*", "намаз*", "namoz*", "namaz*", "prayer*",
                   "молитв*", "сахари", "курбон*", "курбан*", "qurbon*", "мавлуд*",
                   "таравех*", "taraveh*"),)),
    ("cooking", (("рецепт*", "recipe*", "палов*", "плов*", "ош", "оши", "osh", "plov",
                  "pilaf", "пазанд*", "пухт*", "cook*", "самбус*", "шурбо", "лагман*",
                  "манту"),)),
    ("pets", (("собак*", "пес", "пса", "псу", "dog", "dogs", "puppy", "щенк*", "щенок", "саг",
               "сагам", "сагро", "кошк*", "кот", "кота", "коту", "cat", "cats", "kitten*",
               "гурба*", "питом*", "pet", "pets", "хайвон*", "animal*", "животн*", "попуга*",
               "parrot*"),)),
    ("invention", (("изобрет*", "invention*", "invent*", "ихтиро*", "товарн*", "trademark*",
                    "авторск*", "copyright*", "бренд*", "brand*", "логотип*", "logo"),)),
    ("invention", (("полезн*", "utility"), ("модел*", "model*"))),
    # Buying tickets: a ticket word next to a price or purchase word. "Who pays for
    # the return ticket" after a refusal (entry.denied) has neither.
    ("tickets", (("билет*", "авиабилет*", "ticket*", "flight*", "bilet*", "чипта*", "chipta*",
                  "самолет*", "samolet*"),
                 ("цен*", "стоит", "стоимост*", "нарх*", "narkh*", "narx*", "price*", "cost*",
                  "дешев*", "cheap*", "арзон*", "arzon*", "купит*", "куплю", "buy", "харид*",
                  "kharid*", "xarid*"))),
    ("bot_identity", (("робот*", "robot*", "нейросет*", "chatgpt", "gpt", "ai", "человек",
                       "human", "одам", "odam", "живой"),
                      ("ты", "ту", "you", "вы", "шумо", "are", "хасти", "хастед", "hasti", "tu",
                       "ty"))),
)

# Exchange rates: a rate word next to a currency, or two different currencies.
_RATE_WORDS = ("курс", "kurs", "rate", "rates", "exchange", "обмен*", "обменя*", "курси")
_CURRENCIES = (("доллар*", "dollar*", "usd"), ("евро", "euro*", "eur"),
               ("сомони*", "somoni*"), ("рубл*", "rubl*", "ruble*", "rouble*"),
               ("валют*", "currency", "currencies"))

def _compile(patterns: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    exact = frozenset(fold(p) for p in patterns if not p.endswith("*"))
    prefixes = tuple(fold(p[:-1]) for p in patterns if p.endswith("*"))
    return exact, prefixes


_COMPILED_RULES = [(name, [_compile(g) for g in groups]) for name, groups in _RULES]
_RATE = _compile(_RATE_WORDS)
_CURRENCY = [_compile(c) for c in _CURRENCIES]
_OTHER = _compile(_OTHER_COUNTRIES)
_HOME = _compile(_RUSSIA)


def _hits(words: set[str], group: tuple[frozenset[str], tuple[str, ...]]) -> bool:
    exact, prefixes = group
    if words & exact:
        return True
    return any(w.startswith(prefixes) for w in words) if prefixes else False


def words_of(text: str) -> set[str]:
    """Folded words, plus the Russian transliteration of Latin ones."""
    norm = normalize(text)
    words = set(fold(norm).split())
    words |= set(fold(to_cyrillic(norm, "ru")).split())
    return words


def off_topic(text: str) -> str | None:
    """The name of the off-topic rule ``text`` matches, or None."""
    words = words_of(text)
    for name, groups in _COMPILED_RULES:
        if all(_hits(words, g) for g in groups):
            return name
    currencies = sum(_hits(words, c) for c in _CURRENCY)
    if currencies >= 2 or (currencies and _hits(words, _RATE)):
        return "currency"
    if _hits(words, _OTHER) and not _hits(words, _HOME):
        return "other_country"
    return None
