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
travelling" and "Enrolling your child in school" are about. Forms are folded (ӣ→и, ҳ→х …,
as ``normalize.fold``) and Latin spellings are listed too, since Latin messages are also
read as typed. Prefixes only where no common word shares them ("хола" is not here: "холат").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

KIN = "kin"


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
"""))

_PREFIXES = tuple(_listed("""
падар модар бародар додар хохар шавхар амак таго чиян хешованд
брат сестр дяд племян двоюродн родствен
padar modar barodar dodar hohar khohar xohar shavhar shovhar amak tagoi jiyan
brat sestr dyad plemyan
"""))


def is_kin(word: str) -> bool:
    """``word`` normalised and folded (see ``normalize``)."""
    return word in _WORDS or word.startswith(_PREFIXES)


def neutral(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(KIN if is_kin(word) else word for word in words)


def neutral_readings(read: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """A message's readings (as typed, and a Latin one's Cyrillic readings, word for
    word) with each relative as typed made ``KIN`` in all of them: "wife" read as Russian
    is "вифе", and the Cyrillic readings of Latin words are not checked themselves
    ("drug" would read as "друг", a friend)."""
    if not read or len({len(words) for words in read}) != 1:  # not word for word
        return tuple(neutral(words) for words in read)
    kin = [is_kin(word) for word in read[0]]
    if not any(kin):  # most messages: nothing to change
        return tuple(tuple(words) for words in read)
    return tuple(tuple(KIN if is_kin_here else word
                       for word, is_kin_here in zip(words, kin, strict=True))
                 for words in read)
