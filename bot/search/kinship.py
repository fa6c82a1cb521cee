"""Words for relatives and friends, read by the article models as one word.

Migrants often ask for someone else: "padaram 55 sola, ba u patent medihand?", "my wife
and kids came yesterday, do they need own registration". Who is asked about rarely says
what the question is about, but the examples teach otherwise: "Children travelling to
Russia" has most of the examples that mention a father, a mother or a wife, so naive
Bayes and the article machine read "падарам" as a sign of that article. On the team's
tuning and validation questions, those that mention a relative were answered directly and
wrongly six times as often as the others (3.1 % against 0.5 %; 1.6 % with this,
BENCHMARKS.md).

So every such word becomes ``KIN`` for naive Bayes and the article machine
(``classifier.topic_readings``): the message still says "someone else", and the rest of it
decides the article. The "happening now" detector and the retrieval read the message as
typed (the detector was measured both ways: a tie held out, worse on the frozen sets).
Words for a child (son, daughter, child, kid) are left alone: they are what "Children
travelling" and "Enrolling your child in school" are about. Grandparents are relatives
like the others: in the examples they mostly take a grandchild to Russia, so "can I bring
my 70 year old grandmother to live with me" was answered with children travelling.
Forms are folded (ӣ→и, ҳ→х …, as ``normalize.fold``) and Latin spellings are listed too,
since Latin messages are also read as typed. Prefixes only where no common word shares
them ("хола" is not here: "холат").

An adult's age is the same kind of word: "55 sola", "58 лет", "62 years" say who is asked
about, yet most ages in the examples are a child's, so "моему отцу нужен патент, ему 58
лет" was answered with children travelling. An age from ``ADULT_FROM`` up, with its
word for years, is left out (both words): made one word like ``KIN``, it only moved the
pull to the article whose examples have most adults' ages (the language exam: "I am 45
and never learnt Russian at school"). A child's age, and 18, the children articles' own
threshold, are kept as typed.
"""

from __future__ import annotations

from collections.abc import Sequence

KIN = "kin"
ADULT_FROM = 19
_LEFT_OUT = ""  # an adult's age, in ``_replacements``


def _listed(text: str) -> list[str]:
    return text.split()


_WORDS = frozenset(_listed("""
занам занаш занамро занашро
ака акам акаам акаи акаш акамро акаамро акаро апа апам апаам апаи амма аммаам аммаи
дустам дусташ дустамро дустонам чура чураам чурам чураи чурахо
отец отца отцу отцом папа папе папу папы мама маме маму мамы мамой мать матери
жена жены жене жену женой муж мужа мужу мужем
друг друга другу другом друзья друзей друзьям
тетя тети тете тетю
father dad mother mom mum mama wife husband brother bro sister uncle aunt aunty
nephew niece cousin relative relatives friend friends
zanam zanash akam akaam apa otec otca otsa otcu ottsu papa mame zhena zheny zhene zhenu
muzh muzha muzhu
биби бибиам бибиям бибиаш бибияш бибиро бобо бобоам бобоям бобоаш бобояш боборо
модаркалон модаркалонам падаркалон падаркалонам
grandmother grandma granny grandfather grandpa grandparents
bibi bibiam bibiyam bobo boboyam boboam babushka babushki babushke babushku dedushka
"""))

_PREFIXES = tuple(_listed("""
падар модар бародар додар хохар шавхар амак таго чиян хешованд
брат сестр дяд племян двоюродн родствен бабушк дедушк
padar modar barodar dodar hohar khohar xohar shavhar shovhar amak tagoi jiyan
brat sestr dyad plemyan
"""))


# Words for "years (old)" after a number: Russian, Tajik (folded), Latin spellings, English.
_YEARS = frozenset(_listed("""
лет года год сола сол солаш солам солаи солагии
let goda god sola sol solash solam years year yrs
"""))
_YEARS_PREFIXES = ("летн", "годовал")  # 58-летний, двадцатигодовалый


def is_kin(word: str) -> bool:
    """``word`` normalised and folded (see ``normalize``)."""
    return word in _WORDS or word.startswith(_PREFIXES)


def _is_years(word: str) -> bool:
    return word in _YEARS or word.startswith(_YEARS_PREFIXES)


def _is_adult_age(word: str) -> bool:
    # Two ASCII digits: int() of any "digit" would also take "²", "٥٥" or 5,000 zeros.
    return len(word) == 2 and word.isascii() and word.isdigit() and int(word) >= ADULT_FROM


def _replacements(words: Sequence[str]) -> list[str | None]:
    """For each word, what the article models read instead (``KIN``, or nothing: an
    adult's age), or None to keep it."""
    out: list[str | None] = [KIN if is_kin(word) else None for word in words]
    for i in range(len(words) - 1):
        if _is_adult_age(words[i]) and _is_years(words[i + 1]):
            out[i] = out[i + 1] = _LEFT_OUT
    return out


def _applied(words: Sequence[str], replaced: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(word if new is None else new
                 for word, new in zip(words, replaced, strict=True) if new != _LEFT_OUT)


def neutral(words: Sequence[str]) -> tuple[str, ...]:
    return _applied(words, _replacements(words))


def neutral_readings(read: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """A message's readings (as typed, and a Latin one's Cyrillic readings, word for
    word) with each relative as typed made ``KIN`` and each adult's age left out in all
    of them: "wife" read as Russian is "вифе", and the Cyrillic readings of Latin words
    are not checked themselves ("drug" would read as "друг", a friend)."""
    if not read or len({len(words) for words in read}) != 1:  # not word for word
        return tuple(neutral(words) for words in read)
    replaced = _replacements(read[0])
    if all(new is None for new in replaced):  # most messages: nothing to change
        return tuple(tuple(words) for words in read)
    return tuple(_applied(words, replaced) for words in read)
