"""A small three-language knowledge base for engine tests, and the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb import KnowledgeBase, load_knowledge_base
from bot.search.engine import SearchEngine
from tests.fixture_categories import CATEGORIES

# id -> lang -> (title, text, keywords)
ARTICLES: dict[str, dict[str, tuple[str, str, list[str]]]] = {
    "entry.ban_check": {
        "tg": ("Чӣ тавр манъи воридшавиро санҷем",
               "Манъи воридшавӣ (запрет)-ро дар сайти ВКД Русия санҷед. Барои санҷиш рақами "
               "шиносномаи хориҷӣ лозим аст.",
               ["запрет", "манъи воридшавӣ", "запрети воридшавӣ", "санҷиши запрет",
                "zapret", "запрет дорам ё не"]),
        "ru": ("Как проверить запрет на въезд",
               "Запрет на въезд можно проверить на сайте МВД России по данным загранпаспорта.",
               ["запрет на въезд", "проверить запрет", "zapret na vezd", "есть ли запрет",
                "черный список"]),
        "en": ("How to check an entry ban",
               "Check a Russian entry ban on the MVD website with your passport details.",
               ["entry ban", "banned from Russia", "check ban", "blacklist"]),
    },
    "stay.registration": {
        "tg": ("Бақайдгирии муҳоҷиратӣ (регистрация)",
               "Дар давоми 15 рӯз баъди омадан соҳиби хона Шуморо ба қайд мегирад.",
               ["регистрация", "регистратсия", "бақайдгирӣ", "қайд", "прописка",
                "registratsiya"]),
        "ru": ("Миграционный учёт (регистрация)",
               "Регистрацию делает принимающая сторона, хозяин жилья, в течение 15 дней.",
               ["регистрация", "миграционный учёт", "прописка", "регистрашка",
                "registratsiya", "хозяин квартиры"]),
        "en": ("Migration registration",
               "Your landlord or host must register you within 15 days after arrival.",
               ["registration", "migration registration", "landlord", "propiska"]),
    },
    "work.patent": {
        "tg": ("Чӣ тавр патент гирифтан",
               "Барои патент ҳуҷҷатҳоро дар 30 рӯз ба маркази муҳоҷират супоред.",
               ["патент", "патент гирифтан", "ҳуҷҷатҳо барои патент", "patent"]),
        "ru": ("Как получить патент на работу",
               "Документы на патент подают в миграционный центр в течение 30 дней.",
               ["патент", "патент на работу", "документы на патент", "patent"]),
        "en": ("How to get a work patent",
               "Apply for the work patent at the migration centre within 30 days.",
               ["work patent", "patent", "work permit", "documents for patent"]),
    },
    "rights.detention": {
        "tg": ("Агар Шуморо боздошт кунанд",
               "Полис метавонад то 48 соат нигоҳ дорад. Шумо ҳақ доред ба хешовандон занг "
               "занед ва тарҷумон пурсед.",
               ["боздошт", "задержали", "отдели полис", "тарҷумон", "адвокат"]),
        "ru": ("Если Вас задержали",
               "Полиция может задержать до 48 часов. Вы вправе позвонить родным и "
               "потребовать переводчика.",
               ["задержали", "задержание", "отдел полиции", "переводчик", "адвокат",
                "менты забрали"]),
        "en": ("If you are detained",
               "Police may hold you for up to 48 hours. You may call relatives and ask for "
               "an interpreter.",
               ["detained", "arrested", "police station", "interpreter", "lawyer"]),
    },
    "stay.lost_documents": {
        "tg": ("Агар шиноснома гум шавад",
               "Ба полис муроҷиат кунед ва справка гиред, баъд ба консулгарӣ равед.",
               ["шиноснома гум шуд", "паспорт гум шуд", "дуздиданд", "гум кардам"]),
        "ru": ("Потеря паспорта",
               "Если паспорт потерян или украден, обратитесь в полицию и в консульство.",
               ["потерял паспорт", "украли паспорт", "утеря документов", "poteryal pasport"]),
        "en": ("Lost or stolen passport",
               "If your passport is lost or stolen, report it to the police and the "
               "consulate.",
               ["lost passport", "stolen passport", "passport stolen", "lost documents"]),
    },
}


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_fixture_kb(root: Path) -> Path:
    articles = root / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (root / "categories.toml").write_text(CATEGORIES, encoding="utf-8")
    for order, (aid, texts) in enumerate(ARTICLES.items()):
        parts = [f'id = "{aid}"', f'category = "{aid.split(".")[0]}"', f"order = {order}",
                 "reviewed = 2026-11-01", 'sources = ["115-ФЗ"]']
        for lang, (title, text, keywords) in texts.items():
            kws = ", ".join(_toml_string(k) for k in keywords)
            parts += [f"[{lang}]", 'status = "reviewed"', f"title = {_toml_string(title)}",
                      f"short = {_toml_string(text)}", f"details = {_toml_string(text)}",
                      f"keywords = [{kws}]"]
        (articles / f"{aid}.toml").write_text("\n".join(parts) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge_base(write_fixture_kb(tmp_path_factory.mktemp("kb")))


@pytest.fixture(scope="session")
def fixture_engine(fixture_kb: KnowledgeBase) -> SearchEngine:
    return SearchEngine.build(fixture_kb)


@pytest.fixture(scope="session")
def real_engine() -> SearchEngine:
    return SearchEngine.build(load_knowledge_base())
