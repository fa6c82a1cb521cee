"""Is this happening right now? ("меня держат в аэропорту уже 10 часов", "ҳозир дар
фурудгоҳ нигоҳ доштанд", "they are beating him now").

A person held at a border right now must get the emergency answer at once, not a list
of choices. The rule: a *situation* (held, detained, beaten, documents taken, in danger)
together with a sign that it is *going on* (now, still, already N hours, urgently, a call
for help, the present tense of holding verbs), and no sign that it is past or
hypothetical ("вчера", "в прошлом году", "если задержат", "what if"). Words are matched on
folded text (ӣ→и, ҳ→х …) and on the Cyrillic transliteration of Latin text, by prefix, so
endings, typos in endings and Latin spellings count.

Hand rules generalise badly to messages nobody wrote them for, so a learnt model joins
them, trained on ``knowledge/urgent_examples.jsonl`` (messages labelled urgent or not,
hard negatives included: the same topics in the past, hypotheticals, "срочно нужен
патент", delayed flights, rumours of raids; 4,630 messages by thirteen groups of writers who
never saw each other's; editors add to it): a linear support vector machine on TF-IDF
character and word n-grams (``bot.search.svm``, ``bot.search.tfidf``), nudged by naive
Bayes on the same n-grams.
A message is urgent when the score is high (``MODEL_THRESHOLD``) or the rules fire and
the score leans that way (``RULE_ASSIST``). ``benchmarks/calibrate_urgency.py``
holds out each group of writers in turn and chose these numbers to leave the most room
under both bars aimed at, 95 % found and 2 % false alarms: 96.3 % and 0.9 % (figures in
BENCHMARKS.md; the rules alone find 73 % with 8.7 % false alarms).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.search import tfidf
from bot.search.classifier import AnswerModel
from bot.search.hashing import unique_counts
from bot.search.normalize import fold, has_latin, normalize
from bot.search.svm import LinearSVM
from bot.search.tfidf import TfidfVectorizer
from bot.search.translit import to_cyrillic


def _stems(text: str) -> tuple[str, ...]:
    return tuple(fold(normalize(line)) for line in text.strip().splitlines() if line.strip())


# Something that needs help now, when it is going on (prefixes of folded words or phrases).
SITUATION = _stems("""
держат
держут
дерджат
задерж
задиржа
удержива
забрал
забира
отобрал
отнима
избил
бьют
избива
ударил
пытают
угрожа
заперли
закрыли
не выпуска
не пуска
не отпуска
отстойник
обезьянник
спецприём
спецприем
сизо
депортир
депорт
выдвор
в отдел
в отделе
отдел
в участ
участке
полиц
менты
мусор
опера
омон
рейд
грузят
пакуют
сажают
подписать
аэропорт
границ
граница
паспортн
погранич
фсб
нигох
боздошт
дастгир
гирифт
бурдан
бурданд
мезан
заданд
задан
латукуб
фурудгох
аэропорти
сархад
граница
мондам
милиса
милиц
полис
бурд
паспортхо
militsi
otdel
шуъба
хучра
held
hold
holdin
kept
keeping
detain
detaind
arrest
nabbed
took
taken
taking
beat
beating
hitting
hit me
locked
locking
stuck
police
polic
cops
officer
holding cell
monkey cage
station
airport
airprot
border
boarder
checkpoint
passport control
deport
raid
sign a paper
demanding money
in danger
danger
kidnap
""")
# It is going on now, or someone calls for help.
ONGOING = _stems("""
сейчас
щас
прямо сейчас
уже
сегодня
сутки
суток
до сих пор
всё ещё
все еще
ещё держат
срочно
срочна
помогите
памагите
помоги
спасите
sos
сос
сижу
стою
пишу с чужого
быстро скажите
хозир
хозр
холо
айни замон
хануз
ханӯз
то хол
зуд
ёрдам
ёри дих
кумак
комак
komak
yordam
имруз
istoda
истода
хастам
мондам
now
right now
today
still
stil
currently
urgent
asap
help
hlep
plz
pls
since
hours ago
hour ago
writing from
""")
# Present-tense holding verbs say "now" on their own ("нас держат", "маро нигоҳ медоранд").
PRESENT = _stems("""
держат
дерджат
не выпускают
не пускают
не отпускают
бьют
пытают
грузят
пакуют
сажают
заставляют
нигох медоранд
мезанад
мезананд
are holding
are keeping
is holding
holdin
are beating
is beating
won't let
wont let
are detaining
is demanding
am in the police
i'm in the police
im in
""")
# Past, hypothetical or a question about the law: then it is not an emergency, unless a
# strong "now" says the story is still going on.
NOT_NOW = _stems("""
вчера
позавчера
на прошлой
в прошлом
прошлым
год назад
года назад
лет назад
месяц назад
месяца назад
недел
раньше
когда-то
несколько лет
сол пеш
мох пеш
хафта пеш
пештар
хафтаи гузашта
дируз
парируз
соли гузашта
мохи гузашта
сентябр
yesterday
last week
last month
last year
a few years
years ago
year ago
months ago
month ago
weeks ago
""")
HYPOTHETICAL = _stems("""
если
что будет если
можно ли
имеют ли право
сколько могут
сколько часов могут
сколько по закону
что такое
это законно
почему
агар
чист
чанд вакт
what if
if they
if i
can they
how long can
is it legal
why do
""")
# Still-going-on markers strong enough to outweigh a past date ("задержали вчера, до сих
# пор не отпустили").
STILL = _stems("""
до сих пор
всё ещё
все еще
хануз
still there
still held
still no news
still no lawyer
still no word
stil there
""")
# The matter is over, or not a danger (a salary "held", a queue).
RESOLVED = _stems("""
отпустили
хама хуб
хуб шуд
khub shud
баромад
я дома
сейчас дома
закончился
released
let go
all good
recovered
держат зарплат
зарплату держ
holding back
очеред
queue
ммц
полиси тибб
""")
# "не отпустили" is not "отпустили".
NOT_RESOLVED = _stems("""
не отпуст
не выпуст
not released
not let
""")
@lru_cache(maxsize=4096)
def _texts(message: str) -> tuple[str, ...]:
    base = fold(normalize(message))
    texts = [base]
    if has_latin(base):
        texts += [fold(to_cyrillic(base, "ru")), fold(to_cyrillic(base, "tg"))]
    return tuple(f" {t} " for t in texts)


def _has(texts: tuple[str, ...], stems: tuple[str, ...]) -> bool:
    return any(f" {stem}" in text for text in texts for stem in stems)


_HOURS = re.compile(r"\b\d{1,3}\s*(?:час|саат|соат|hour|h\b|ч\b|суток|дня|day|руз|рӯз)")


# Chosen by ``benchmarks/calibrate_urgency.py`` (each group of writers held out in turn):
# the score is the support vector machine's margin plus BAYES_WEIGHT × (naive Bayes's
# probability − ½).
BAYES_WEIGHT = 2.0
MODEL_THRESHOLD = 0.3
RULE_ASSIST = -0.12
EXAMPLES_FILE = "urgent_examples.jsonl"  # in the knowledge directory
URGENT, ORDINARY = "urgent", "ordinary"


def read_examples(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass(frozen=True)
class _Trained:
    bayes: AnswerModel
    vectorizer: TfidfVectorizer
    svm: LinearSVM


def _hashes(found: tfidf.Counts) -> np.ndarray:
    """The message's n-grams as naive Bayes reads them: present or not."""
    return unique_counts(np.concatenate(found))[0].astype(np.uint32)


class UrgencyModel:
    """The learnt half of the detector: a linear support vector machine on TF-IDF
    n-grams, nudged by naive Bayes on the same n-grams."""

    def __init__(self, trained: _Trained | None, *, bayes_weight: float = BAYES_WEIGHT,
                 threshold: float = MODEL_THRESHOLD, rule_assist: float = RULE_ASSIST) -> None:
        self._trained = trained
        self.bayes_weight = bayes_weight
        self.threshold = threshold
        self.rule_assist = rule_assist

    @classmethod
    def train(cls, samples: Sequence[tuple[str, bool]], **settings: float) -> UrgencyModel:
        if not any(urgent for _, urgent in samples) or all(urgent for _, urgent in samples):
            return cls(None)
        found = tfidf.counts_many([text for text, _ in samples])
        bayes = AnswerModel.train_on_features(
            [(_hashes(f), URGENT if urgent else ORDINARY)
             for f, (_, urgent) in zip(found, samples, strict=True)], temperature=1.0)
        vectorizer = TfidfVectorizer.fit(found)
        svm = LinearSVM.train(vectorizer.vectors(found),
                              [urgent for _, urgent in samples])
        return cls(_Trained(bayes, vectorizer, svm), **settings)

    @classmethod
    def from_file(cls, path: Path) -> UrgencyModel:
        if not path.is_file():
            return cls(None)
        return cls.train([(str(row["q"]), bool(row["urgent"])) for row in read_examples(path)])

    def parts(self, message: str) -> tuple[float, float]:
        """(the machine's margin, naive Bayes's probability of "urgent"); (0, 0) untrained."""
        if self._trained is None:
            return 0.0, 0.0
        found = tfidf.counts(message)
        model = self._trained.bayes
        bayes = next(p.probability for p in model.from_raw(model.raw_scores_of(_hashes(found)))
                     if p.article_id == URGENT)
        margin = self._trained.svm.margin(self._trained.vectorizer.vector(found))
        return margin, bayes

    def score(self, message: str) -> float:
        margin, bayes = self.parts(message)
        return margin + self.bayes_weight * (bayes - 0.5)

    def is_urgent(self, message: str) -> bool:
        if self._trained is None:
            return rules_say_urgent(message)
        score = self.score(message)
        return score >= self.threshold or (
            score >= self.rule_assist and rules_say_urgent(message))


def is_urgent(message: str) -> bool:
    """The rules alone (see ``UrgencyModel`` for rules and model together)."""
    return rules_say_urgent(message)


def rules_say_urgent(message: str) -> bool:
    texts = _texts(message)
    if not _has(texts, SITUATION) or _has(texts, HYPOTHETICAL):
        return False
    if _has(texts, RESOLVED) and not _has(texts, NOT_RESOLVED):
        return False
    if _has(texts, NOT_NOW) and not _has(texts, STILL):
        return False
    return _has(texts, ONGOING) or _has(texts, PRESENT) or any(
        _HOURS.search(text) for text in texts)
