"""A large database with the project's own schema, and the timings of the queries that
must stay fast on it (moderation queue, statistics, export, /myreports, the broadcast
user scan) and of the real bot's start-up.

Run from the project root with the project's virtualenv::

    .venv/bin/python benchmarks/scale_db.py generate DATA_DIR [--users 1000000]
        [--reports 100000] [--tickets 10000] [--processed 1000000] [--user-state 100000]
        [--drafts 300] [--seed 1] [--force]
    .venv/bin/python benchmarks/scale_db.py time DATA_DIR [--runs 5] [--message TEXT]
        [--no-startup] [--no-baseline] [--no-full-broadcast] [--no-jobs]

``generate`` opens ``DATA_DIR/hamroh.sqlite3`` with ``bot.storage.Database.open`` (so the
migrations create the schema), creates the report key in ``DATA_DIR`` with
``bot.crypto.load_report_keys`` and then bulk-inserts rows with plain ``sqlite3``
``executemany`` in big transactions. Every sealed column is written with the project's
own functions and associated data (``ReportService``, ``TicketService``, ``bot.sealing``),
so the bot can read what is generated. It also writes ``DATA_DIR/scale_meta.json``
(staff ids, the user with the most reports, a user for the start-up message).

``time`` opens the database like the bot does and times, through the repositories and
services the handlers call, each query warm: one warm-up run, then the median of
``--runs``. For each it prints the SQL the repository really executed (captured with
SQLite's trace callback, values inlined) and its ``EXPLAIN QUERY PLAN``; "FULL TABLE
SCAN" marks a plan that reads a whole table. The broadcast benchmarks create a broadcast
through the repository and delete it (and its recipients) afterwards; the file keeps the
freed pages. Start-up runs
``python -m bot run`` (as ``tests/e2e/conftest.py`` does) against the fake Bot API on a
copy of the database (``sqlite3`` backup), so the database in ``DATA_DIR`` is left as it
was: time from process start to its first ``getUpdates``, then one user message (by
default a question, whose answer waits for the search index the bot builds in a thread at
start), its reply, and the process's peak resident memory (``VmHWM`` in
``/proc/PID/status``) once it stopped rising. The same is measured on an empty database
first, to show what the size adds. Finally, on the
throw-away copy, once it holds what one broadcast to everyone leaves (a recipient row per
user), /forget's broadcast clean-up and the periodic clean-up jobs run once each (they
delete rows).

Targets (the project's scale issue): every query < 100 ms, start-up < 5 s, peak RSS
< 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, cast

import aiosqlite

from bot.config import Settings
from bot.crypto import ReportKeys, load_report_keys, new_draft_id, new_reference
from bot.paths import PROJECT_ROOT, knowledge_dir
from bot.reports import draft as d
from bot.reports.places import default_places
from bot.reports.service import ReportContent, ReportService
from bot.sealing import (
    conversation_owner,
    seal_pending_question,
    seal_state,
    user_state_owner,
)
from bot.storage import Database
from bot.support.service import TicketService

DB_NAME = "hamroh.sqlite3"
META_NAME = "scale_meta.json"
TOKEN = "123456789:scale-benchmark-token"
BENCH_MARK = "scale-benchmark"  # the fallback text of the broadcasts this script creates
OWNER = 9000
MODERATORS = (9001, 9002, 9003, 9004, 9005)
STAFF_CHAT = -1001234567890
FIRST_UPDATE_ID = 700_000_000
QUESTION = "сколько дней можно находиться в России без патента"
DAYS = 730  # incident dates, users and tickets spread over two years
CHUNK = 50_000
TARGET_MS = 100.0
TARGET_STARTUP_S = 5.0
TARGET_RSS_MB = 150.0


# --- realistic values ----------------------------------------------------------------------

INCIDENT_WEIGHTS = {"refused": 20, "held_border": 25, "detained": 12, "deported": 10,
                    "documents": 10, "extortion": 10, "insults": 8, "other": 5}
AFFECTED_WEIGHTS = {"me": 60, "family": 25, "others": 15}
PEOPLE_WEIGHTS = {"1": 50, "2": 20, "3-5": 15, "6-10": 8, "11+": 5, "14": 1, "25": 1}
HELD_WEIGHTS = {"no": 20, "lt3h": 30, "3-12h": 25, "12-24h": 12, "1-2d": 8, "gt2d": 3,
                "still": 2}
LOCALE_WEIGHTS: dict[str | None, int] = {"tg": 45, "ru": 40, "en": 5, None: 10}
RECENT_STATUS = {"new": 40, "in_review": 25, "needs_info": 10, "verified": 15, "rejected": 10}
OLD_STATUS = {"new": 3, "in_review": 2, "needs_info": 2, "verified": 60, "rejected": 33}
REJECT_CODES = ("duplicate", "not_incident", "no_detail", "spam")
EVIDENCE_KINDS = ("photo", "photo", "photo", "document", "voice", "video")

SENTENCES = {
    "ru": [
        "Нас задержали на паспортном контроле и продержали несколько часов без объяснений.",
        "Сотрудник забрал мой паспорт и не вернул его до самого вылета.",
        "Требовали деньги, чтобы пропустить через границу, говорили, что иначе депортируют.",
        "Со мной были двое детей, нам не давали воды и не пускали в туалет.",
        "Потом нас отправили обратно тем же рейсом, ничего не объяснив.",
        "Мне сказали, что у меня запрет на въезд, но никаких документов не показали.",
        "Проверяли телефон, читали переписку и удалили фотографии.",
        "В комнате было около тридцати человек, многие из Худжанда и Душанбе.",
        "Патент у меня был оплачен, регистрация тоже была в порядке.",
        "Кричали на нас, оскорбляли по национальности.",
    ],
    "tg": [
        "Моро дар назорати шиносномаҳо боздошт карданд ва чанд соат бе шарҳ нигоҳ доштанд.",
        "Корманд шиносномаи маро гирифт ва то парвоз барнагардонд.",
        "Барои гузаронидан аз сарҳад пул талаб карданд, гуфтанд, ки вагарна бармегардонем.",
        "Бо ман ду кӯдак буданд, ба мо об надоданд.",
        "Баъд моро бо ҳамон парвоз ба Душанбе баргардонданд.",
        "Гуфтанд, ки ба ман манъи вуруд ҳаст, аммо ягон ҳуҷҷат нишон надоданд.",
        "Телефонамро санҷиданд ва суратҳоро пок карданд.",
        "Патенти ман пардохт шуда буд, бақайдгирӣ ҳам дуруст буд.",
    ],
    "en": [
        "We were held at passport control for several hours without any explanation.",
        "An officer took my passport and did not give it back until the flight.",
        "They demanded money to let us through and said we would be deported otherwise.",
        "Two children were with me and we were given no water.",
        "Then we were sent back on the same flight without being told why.",
        "They said I was banned from entry but showed no document.",
        "They checked my phone, read my messages and deleted photos.",
    ],
}
NOTE_TEXTS = ("Checked with the partner lawyer, consistent with other reports from this day.",
              "Спросить, есть ли фото документа об отказе во въезде.",
              "Same flight as two other reports this week.",
              "Позвонили на горячую линию, подтвердили задержание.")
QUESTIONS = ("Which flight number was it, and at what time did you land?",
             "Есть ли у вас фото протокола или отказа во въезде?",
             "Шумо метавонед номи кормандро нависед?")
ANSWERS = ("Рейс из Душанбе, прилетели в 6 утра.", "Парвози 7 саҳар буд.",
           "I have a photo of the refusal, I will send it.")
TICKET_TEXTS = ("Здравствуйте, мне нужна помощь с патентом.",
                "Ассалому алейкум, шиносномаамро гирифтанд, чӣ кор кунам?",
                "Hello, my registration expires next week, what should I do?",
                "Спасибо, всё понятно.", "Ташаккур!", "Могу ли я приехать без миграционной карты?")
STAFF_REPLIES = ("Здравствуйте! Напишите, пожалуйста, когда заканчивается патент.",
                 "Салом! Лутфан ба мо нависед, ки шиноснома кай гирифта шуд.",
                 "Please send a photo of the registration page (without your name).")
QUESTIONS_TYPED = ("можно ли въехать если есть долг по штрафу",
                   "чӣ тавр патентро дароз кунам", "how long can I stay without a patent")


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _iso(moment: datetime) -> str:
    """The repositories' timestamp format (``bot.storage.base.now_iso``)."""
    return moment.isoformat(timespec="seconds")


def _file_id(rng: random.Random) -> str:
    """Looks like a Telegram file id: ~70 url-safe characters."""
    return "AgACAgIAAxkBAAI" + "".join(rng.choices(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", k=56))


def _description(rng: random.Random, locale: str) -> str:
    pool = SENTENCES.get(locale, SENTENCES["ru"])
    count = rng.choice((1, 2, 2, 3, 3, 4, 5, 8, 14))
    return " ".join(rng.choice(pool) for _ in range(count))


def _article_ids() -> list[str]:
    return sorted(path.stem for path in (knowledge_dir() / "articles").glob("*.toml"))


# --- generation ------------------------------------------------------------------------------

@dataclass
class Users:
    ids: list[int]
    locales: list[str | None]


@dataclass
class Meta:
    owner: int
    moderators: list[int]
    heavy_reporter: int
    heavy_reporter_reports: int
    startup_user: int
    startup_user_locale: str
    generated_at: str
    counts: dict[str, int] = field(default_factory=dict)


def _insert(conn: sqlite3.Connection, sql: str, rows: Iterable[Sequence[object]]) -> int:
    """Insert ``rows`` in one transaction, ``CHUNK`` rows per ``executemany``."""
    count = 0
    iterator = iter(rows)
    conn.execute("BEGIN")
    try:
        while batch := list(itertools.islice(iterator, CHUNK)):
            conn.executemany(sql, batch)
            count += len(batch)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return count


class Generator:
    def __init__(self, conn: sqlite3.Connection, keys: ReportKeys, seed: int) -> None:
        self.conn = conn
        self.keys = keys
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.today = self.now.date()
        self.start = self.today - timedelta(days=DAYS)
        self.days = [(self.start + timedelta(days=i)).isoformat() for i in range(DAYS + 1)]
        self.places = [place.id for place in default_places().items]
        self.typed_places = {place.id for place in default_places().items if place.typed}
        self.articles = _article_ids()
        self.heavy_reporter = 0
        self.heavy_reports = 0

    def _phase(self, label: str, started: float, rows: int) -> None:
        print(f"  {label:<28} {rows:>9,} rows  {time.perf_counter() - started:6.1f} s",
              flush=True)

    # users ----------------------------------------------------------------------------------

    def users(self, count: int) -> Users:
        started = time.perf_counter()
        rng = self.rng
        ids = sorted(rng.sample(range(100_000_000, 8_000_000_000), count))
        locales: list[str | None] = rng.choices(
            list(LOCALE_WEIGHTS), weights=list(LOCALE_WEIGHTS.values()), k=count)

        def rows() -> Iterator[tuple[object, ...]]:
            for user_id, locale in zip(ids, locales, strict=True):
                # More people found the bot lately: first contact skewed to recent days.
                first = int(DAYS * (1.0 - rng.random() ** 1.6))
                last = first + int((DAYS - first) * rng.random() ** 0.5)
                blocked = 1 if rng.random() < 0.06 else 0
                banned = 1 if rng.random() < 0.001 else 0
                yield user_id, locale, self.days[first], self.days[last], blocked, banned

        written = _insert(self.conn, "INSERT INTO users (id, locale, first_seen, last_seen, "
                                     "blocked_bot, banned) VALUES (?, ?, ?, ?, ?, ?)", rows())
        self._phase("users", started, written)
        return Users(ids, locales)

    def staff(self) -> None:
        added = _iso(self.now - timedelta(days=DAYS))
        rows: list[tuple[object, ...]] = [(OWNER, "Owner", 0, None, None, added)]
        rows += [(uid, f"Moderator {n}", 1, OWNER, added, added)
                 for n, uid in enumerate(MODERATORS, 1)]
        _insert(self.conn, "INSERT INTO staff (user_id, name, moderator, added_by, added_at, "
                           "seen_at) VALUES (?, ?, ?, ?, ?, ?)", rows)

    # reports --------------------------------------------------------------------------------

    def _reporters(self, users: Users, reports: int) -> tuple[list[int], int]:
        """Who sent each report: most people one, some a few, one person very many (the
        /myreports benchmark user). Returns the list (one entry per report) and that user."""
        rng = self.rng
        heavy = next(uid for uid, loc in zip(users.ids, users.locales, strict=True)
                     if loc == "ru")
        owners = [heavy] * min(60, reports)
        while len(owners) < reports:
            uid = users.ids[rng.randrange(len(users.ids))]
            many = rng.choices((1, 2, 3, 5, 9), weights=(80, 10, 5, 4, 1))[0]
            owners += [uid] * many
        del owners[reports:]
        rng.shuffle(owners)
        return owners, heavy

    def reports(self, users: Users, count: int) -> int:
        started = time.perf_counter()
        rng = self.rng
        locale_of = dict(zip(users.ids, users.locales, strict=True))
        owners, heavy = self._reporters(users, count)
        refs: set[str] = set()
        drafts: set[str] = set()
        plans: list[tuple[datetime, int, str]] = []
        for owner in owners:
            incident_day = rng.randrange(DAYS + 1)
            created = datetime.combine(date.fromisoformat(self.days[incident_day]),
                                       datetime.min.time(), UTC) + timedelta(
                days=min(int(rng.expovariate(0.25)), 60), seconds=rng.randrange(86_400))
            created = min(created, self.now - timedelta(minutes=rng.randrange(1, 600)))
            plans.append((created, owner, self.days[incident_day]))
        plans.sort()
        rows: list[tuple[object, ...]] = []
        notes: list[tuple[object, ...]] = []
        statuses: Counter[str] = Counter()
        for report_id, (created, owner, incident_date) in enumerate(plans, 1):
            while (ref := new_reference()) in refs:
                pass
            refs.add(ref)
            while (draft_id := new_draft_id()) in drafts:
                pass
            drafts.add(draft_id)
            row, row_notes = self._report(report_id, ref, draft_id, owner,
                                          locale_of.get(owner) or "ru", created, incident_date)
            rows.append(row)
            notes += row_notes
            statuses[str(row[6])] += 1
        written = _insert(self.conn, (
            "INSERT INTO reports (id, ref, draft_id, reporter, created_at, updated_at, status, "
            "locale, incident, place, incident_date, affected, people, groups, held, urgent, "
            "content, assignee, awaiting_reply, status_detail, incidents) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), rows)
        self._phase("reports", started, written)
        print("    statuses: " + ", ".join(f"{k} {v:,}" for k, v in statuses.most_common()))
        started = time.perf_counter()
        _insert(self.conn, "INSERT INTO report_notes (ref, kind, author, created_at, content) "
                           "VALUES (?, ?, ?, ?, ?)", notes)
        self._phase("report_notes", started, len(notes))
        self.heavy_reporter = heavy
        self.heavy_reports = owners.count(heavy)
        return written

    def _report(self, report_id: int, ref: str, draft_id: str, owner: int, locale: str,
                created: datetime, incident_date: str
                ) -> tuple[tuple[object, ...], list[tuple[object, ...]]]:
        rng, keys = self.rng, self.keys
        if rng.random() < 0.08:  # "I don't remember the day": YYYY-MM
            incident_date = incident_date[:7]
        incident = _weighted(rng, INCIDENT_WEIGHTS)
        incidents = [incident]
        if rng.random() < 0.3:
            incidents += rng.sample([c for c in INCIDENT_WEIGHTS if c != incident],
                                    rng.choice((1, 1, 2)))
        place = rng.choice(self.places[:4] * 4 + self.places)
        held = (None if all(code in d.INCIDENTS_WITHOUT_HOLDING for code in incidents)
                else _weighted(rng, HELD_WEIGHTS))
        groups = sorted(rng.sample(list(d.GROUPS), rng.choice((1, 1, 2)))) \
            if rng.random() < 0.4 else []
        evidence = tuple(d.Evidence(kind, _file_id(rng), rng.randrange(20_000, 3_000_000),
                                    rng.randrange(3, 120) if kind in ("voice", "video") else None)
                         for kind in rng.choices(EVIDENCE_KINDS, k=rng.choice((0, 0, 1, 2, 3))))
        age = (self.now - created).days
        status = _weighted(rng, RECENT_STATUS if age < 30 else OLD_STATUS)
        unlinked = rng.random() < 0.03  # /forget: no reporter hash, content re-encrypted
        contact = None if unlinked else rng.random() < 0.6
        content = ReportContent(
            reporter_id=None if unlinked else owner, contact=contact,
            description=_description(rng, locale),
            incident_text="Забрали телефон" if "other" in incidents else None,
            place_text="Оренбург, автовокзал" if place in self.typed_places else None,
            evidence=evidence,
        ).to_bytes()
        sealed = keys.encrypt(content, ReportService._report_aad(ref))
        updated = created if status == "new" else min(
            created + timedelta(hours=rng.randrange(1, 24 * 20)), self.now)
        assignee = None if status == "new" else rng.choice(MODERATORS)
        awaiting = 1 if status == "needs_info" and rng.random() < 0.5 else 0
        detail = rng.choice(REJECT_CODES) if status == "rejected" and rng.random() < 0.8 else None
        notes: list[tuple[object, ...]] = []

        def note(kind: str, author: int | None, text: str) -> None:
            raw = json.dumps({"text": text, "evidence": []}, ensure_ascii=False).encode("utf-8")
            notes.append((ref, kind, author, _iso(updated),
                          keys.encrypt(raw, ReportService._note_aad(ref, kind))))

        if status != "new" and rng.random() < 0.35:
            note("note", assignee, rng.choice(NOTE_TEXTS))
        if status == "needs_info":
            note("question", assignee, rng.choice(QUESTIONS))
            if not awaiting:
                note("answer", None, rng.choice(ANSWERS))
        if status == "rejected" and detail is None:
            note("reason", assignee, "Описан другой случай, не на границе.")
        row = (report_id, ref,
               "unlinked-" + secrets.token_urlsafe(12) if unlinked else draft_id,
               None if unlinked else keys.reporter_hash(owner), _iso(created), _iso(updated),
               status, locale, incident, place, incident_date, _weighted(rng, AFFECTED_WEIGHTS),
               _weighted(rng, PEOPLE_WEIGHTS), ",".join(groups), held,
               int(held == d.URGENT_HELD), sealed, assignee, awaiting, detail,
               ",".join(incidents))
        return row, notes

    def drafts(self, users: Users, count: int) -> None:
        """Unfinished reports of the last 48 hours, and their conversation steps."""
        started = time.perf_counter()
        rng, keys = self.rng, self.keys
        drafts: list[tuple[object, ...]] = []
        steps: list[tuple[object, ...]] = []
        reporters: set[str] = set()
        for _ in range(count):
            index = rng.randrange(len(users.ids))
            uid, locale = users.ids[index], users.locales[index] or "ru"
            reporter = keys.reporter_hash(uid)
            if reporter in reporters:
                continue
            reporters.add(reporter)
            moment = self.now - timedelta(seconds=rng.randrange(48 * 3600))
            draft = d.Draft.new(uid, locale, now=moment)
            draft.step = rng.choice(d.ORDER[1:])
            draft.contact = True
            draft.incident = "refused"
            draft.incidents, draft.incidents_done = ["refused"], True
            raw = json.dumps(draft.to_json(), ensure_ascii=False).encode("utf-8")
            drafts.append((reporter, draft.id,
                           keys.encrypt(raw, ReportService._draft_aad(reporter)),
                           _iso(moment), _iso(moment)))
            owner = conversation_owner(keys, "report", (uid, uid))
            steps.append(("report", owner,
                          seal_state(keys, owner, {"key": [uid, uid], "state": draft.step}),
                          _iso(moment)))
        _insert(self.conn, "INSERT INTO report_drafts (reporter, draft_id, content, created_at, "
                           "updated_at) VALUES (?, ?, ?, ?, ?)", drafts)
        _insert(self.conn, "INSERT INTO conversation_state (name, owner, sealed, updated_at) "
                           "VALUES (?, ?, ?, ?)", steps)
        self._phase("report_drafts + steps", started, len(drafts))

    # tickets --------------------------------------------------------------------------------

    def tickets(self, users: Users, count: int) -> None:
        started = time.perf_counter()
        rng, keys = self.rng, self.keys
        retention = self.now - timedelta(days=90)
        opened = sorted(self.now - timedelta(seconds=rng.randrange(DAYS * 86_400))
                        for _ in range(count))
        with_open: set[int] = set()
        tickets: list[tuple[object, ...]] = []
        messages: list[tuple[object, ...]] = []
        relays: list[tuple[object, ...]] = []
        relay_id = 10
        for ticket_id, created in enumerate(opened, 1):
            index = rng.randrange(len(users.ids))
            uid, locale = users.ids[index], users.locales[index] or "ru"
            recent = (self.now - created).days < 10
            status = "open" if recent and uid not in with_open and rng.random() < 0.5 \
                else "closed"
            if status == "open":
                with_open.add(uid)
            closed = None if status == "open" else min(
                created + timedelta(hours=rng.randrange(1, 120)), self.now)
            linked = status == "open" or (closed is not None and closed >= retention)
            raw = json.dumps({"user_id": uid if linked else None,
                              "show_name": linked and rng.random() < 0.3})
            content = keys.encrypt(raw.encode(), TicketService._ticket_aad(ticket_id))
            moment = created
            for number in range(rng.choice((1, 2, 2, 3, 4, 6))):
                direction = "in" if number % 2 == 0 else "out"
                text = rng.choice(TICKET_TEXTS if direction == "in" else STAFF_REPLIES)
                body = json.dumps({"kind": "text", "text": text, "file_id": None},
                                  ensure_ascii=False).encode("utf-8")
                moment = min(moment + timedelta(minutes=rng.randrange(1, 600)), self.now)
                messages.append((ticket_id, direction,
                                 None if direction == "in" else rng.choice(MODERATORS),
                                 _iso(moment),
                                 keys.encrypt(body, TicketService._message_aad(ticket_id))))
                if direction == "in" and linked:
                    relay_id += 1
                    relays.append((STAFF_CHAT, relay_id, ticket_id))
            tickets.append((ticket_id, keys.reporter_hash(uid) if linked else None, content,
                            locale, status,
                            None if status == "open" and rng.random() < 0.5
                            else rng.choice(MODERATORS),
                            1000 + ticket_id, rng.choice(self.articles) if self.articles
                            and rng.random() < 0.6 else None,
                            None if status == "open" or rng.random() < 0.6
                            else int(rng.random() < 0.8),
                            _iso(created), _iso(moment), _iso(closed) if closed else None))
        _insert(self.conn, "INSERT INTO tickets (id, requester, content, locale, status, "
                           "assignee, thread_id, last_article, rating, created_at, updated_at, "
                           "closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tickets)
        _insert(self.conn, "INSERT INTO ticket_messages (ticket_id, direction, author, "
                           "created_at, content) VALUES (?, ?, ?, ?, ?)", messages)
        _insert(self.conn, "INSERT INTO ticket_relays (chat_id, message_id, ticket_id) "
                           "VALUES (?, ?, ?)", relays)
        self._phase(f"tickets (+{len(messages):,} messages)", started, len(tickets))

    # bookkeeping ----------------------------------------------------------------------------

    def processed(self, count: int) -> None:
        """``processed_updates`` keeps two days (``prune_processed``): ``count`` updates
        spread over the last 48 hours, in update id order."""
        started = time.perf_counter()
        base = self.now - timedelta(hours=48)
        step = 48 * 3600 / max(count, 1)

        def rows() -> Iterator[tuple[object, ...]]:
            last = ""
            last_second = -1
            for number in range(count):
                second = int(number * step)
                if second != last_second:
                    last, last_second = _iso(base + timedelta(seconds=second)), second
                yield FIRST_UPDATE_ID + number, last

        written = _insert(self.conn, "INSERT INTO processed_updates (update_id, seen_at) "
                                     "VALUES (?, ?)", rows())
        self._phase("processed_updates", started, written)

    def user_state(self, users: Users, count: int) -> None:
        """What the bot keeps between updates for users active in the last 90 days:
        the last article read, a sealed question waiting for "Ask a person"."""
        started = time.perf_counter()
        rng, keys = self.rng, self.keys
        chosen = rng.sample(range(len(users.ids)), min(count, len(users.ids)))

        def rows() -> Iterator[tuple[object, ...]]:
            for index in chosen:
                uid = users.ids[index]
                data: dict[str, object] = {}
                if self.articles:
                    data["last_article"] = rng.choice(self.articles)
                if rng.random() < 0.2:
                    data["last_question"] = seal_pending_question(
                        keys, uid, rng.choice(QUESTIONS_TYPED))
                if rng.random() < 0.05:
                    data["ticket_notice"] = rng.randrange(1, 10_000)
                owner = user_state_owner(keys, uid)
                moment = self.now - timedelta(seconds=rng.randrange(90 * 86_400))
                yield owner, seal_state(keys, owner, data), _iso(moment)

        written = _insert(self.conn, "INSERT OR REPLACE INTO user_state (owner, sealed, "
                                     "updated_at) VALUES (?, ?, ?)", rows())
        self._phase("user_state", started, written)


async def _migrate(path: Path) -> int:
    db = await Database.open(path)
    try:
        return await db.schema_version()
    finally:
        await db.close()


def generate(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    path = data_dir / DB_NAME
    if path.exists():
        if not args.force:
            print(f"{path} exists; pass --force to replace it", file=sys.stderr)
            return 2
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    version = asyncio.run(_migrate(path))
    keys = load_report_keys(Settings(data_dir=data_dir), create=True)
    print(f"schema version {version} in {path}; report key {data_dir / 'report.key'}")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")  # a generator: speed over durability
        conn.execute("PRAGMA cache_size=-262144")  # 256 MB, for the index inserts
        generator = Generator(conn, keys, args.seed)
        users = generator.users(args.users)
        generator.staff()
        generator.reports(users, args.reports)
        generator.drafts(users, args.drafts)
        generator.tickets(users, args.tickets)
        generator.processed(args.processed)
        generator.user_state(users, args.user_state)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts = {table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                  for table in _tables(conn)}
    finally:
        conn.close()
    startup = next(uid for uid, loc in zip(users.ids, users.locales, strict=True)
                   if loc == "tg" and uid != generator.heavy_reporter)
    meta = Meta(owner=OWNER, moderators=list(MODERATORS),
                heavy_reporter=generator.heavy_reporter,
                heavy_reporter_reports=generator.heavy_reports,
                startup_user=startup, startup_user_locale="tg",
                generated_at=_iso(generator.now), counts=counts)
    (data_dir / META_NAME).write_text(json.dumps(meta.__dict__, indent=1) + "\n", "utf-8")
    size = path.stat().st_size
    print(f"done in {time.perf_counter() - started:.1f} s: {path} is {size / 2**20:,.0f} MiB")
    for table, rows in counts.items():
        print(f"  {table:<28} {rows:>10,}")
    return 0


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [str(name) for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


# --- timing ------------------------------------------------------------------------------------

class Probe:
    """What one run of a benchmark measured: the time inside ``timed()`` blocks and, on
    the capture run, every SQL statement SQLite executed there."""

    def __init__(self, db: Database, capture: bool) -> None:
        self.db = db
        self.statements: list[str] | None = [] if capture else None
        self.elapsed = 0.0

    def _connections(self) -> list[aiosqlite.Connection]:
        """The shared connection and, when the Database has one, the connection its
        ``transaction()`` writes on."""
        found = [self.db.conn]
        other = getattr(self.db, "_txn_conn", None)
        if isinstance(other, aiosqlite.Connection) and other is not self.db.conn:
            found.append(other)
        return found

    @contextlib.asynccontextmanager
    async def timed(self) -> AsyncIterator[None]:
        if self.statements is not None:
            for conn in self._connections():
                await conn.set_trace_callback(self.statements.append)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.elapsed += time.perf_counter() - started
            if self.statements is not None:
                for conn in self._connections():
                    # sqlite3 takes None (no tracing); aiosqlite's annotation omits it.
                    await conn.set_trace_callback(None)  # type: ignore[arg-type]


Bench = Callable[[Probe], Awaitable[str]]


@dataclass
class Result:
    name: str
    runs: list[float]
    note: str
    plans: list[tuple[str, int, list[str]]]  # SQL (first of its shape), times run, plan
    single: bool = False  # one run only (it changes data), no median
    background: bool = False  # a job or a batched task, not a user waiting for an answer

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs) * 1000

    @property
    def scans(self) -> list[str]:
        return [line.strip() for _sql, _count, lines in self.plans for line in lines
                if "FULL TABLE SCAN" in line or "full index scan" in line]


_SKIP = re.compile(r"^\s*(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|--)", re.I)
_NUMBER = re.compile(r"-?\b\d+\b")
_COLUMNS = re.compile(r"^(SELECT )(.{70,}?)( FROM )", re.S)


def _short(sql: str) -> str:
    """The statement on one line, a long column list shown as ``…``."""
    sql = " ".join(sql.split())
    sql = _COLUMNS.sub(lambda m: m.group(1) + "…" + m.group(3), sql, count=1)
    return sql if len(sql) <= 600 else sql[:600] + " …"


async def explain(db: Database, sql: str) -> list[str]:
    rows = await db.conn.execute_fetchall("EXPLAIN QUERY PLAN " + sql)
    parents: dict[int, int] = {}
    lines = []
    for node, parent, _unused, detail in rows:
        depth = parents.get(int(parent), -1) + 1
        parents[int(node)] = depth
        text = str(detail)
        mark = ""
        if text.startswith("SCAN ") and " USING " not in text and "CONSTANT ROW" not in text:
            mark = "   <-- FULL TABLE SCAN"
        elif text.startswith("SCAN ") and " INDEX " in text:
            mark = "   <-- full index scan"
        lines.append("  " * depth + text + mark)
    return lines


async def run_bench(db: Database, name: str, bench: Bench, runs: int, *,
                    single: bool = False, background: bool = False) -> Result:
    """One warm-up run, one run capturing the SQL, then ``runs`` timed runs (or, with
    ``single``, only the capturing run, timed)."""
    if not single:
        await bench(Probe(db, capture=False))
    capture = Probe(db, capture=True)
    note = await bench(capture)
    times = [capture.elapsed] if single else []
    for _ in range(0 if single else runs):
        probe = Probe(db, capture=False)
        note = await bench(probe)
        times.append(probe.elapsed)
    shapes: dict[str, list[Any]] = {}  # statements differing only in numbers: one shape
    for sql in capture.statements or []:
        if not _SKIP.match(sql):
            shapes.setdefault(_NUMBER.sub("?", sql), [sql, 0])[1] += 1
    plans = [(sql, count, await explain(db, sql)) for sql, count in shapes.values()]
    result = Result(name, times, note, plans, single, background)
    _print_result(result)
    return result


def _print_result(result: Result) -> None:
    flag = "" if result.median_ms < TARGET_MS or result.background \
        else f"   ** over {TARGET_MS:.0f} ms **"
    if result.single:
        timing = f"{result.median_ms:9.1f} ms (1 run){flag}"
    else:
        runs = " ".join(f"{t * 1000:.1f}" for t in result.runs)
        timing = f"median {result.median_ms:.1f} ms{flag}  (runs: {runs})"
    print(f"\n== {result.name}: {timing}")
    if result.note:
        print(f"   result: {result.note}")
    for sql, count, lines in result.plans:
        times = f" (run {count} times, with other numbers)" if count > 1 else ""
        print(f"   SQL{times}: {_short(sql)}")
        for line in lines:
            print(f"      {line}")
    sys.stdout.flush()


class _OfflineBot:
    """The card would ask Telegram for a reporter's name; the benchmark stays offline."""

    async def get_chat(self, chat_id: int) -> NoReturn:
        from telegram.error import TelegramError

        raise TelegramError("offline benchmark")


async def _cleanup_broadcasts(db: Database) -> None:
    """Delete the broadcasts this script created (also after an interrupted run)."""
    ids = [int(row[0]) for row in await db.conn.execute_fetchall(
        "SELECT id FROM broadcasts WHERE fallback = ?", (BENCH_MARK,))]
    for broadcast_id in ids:
        await db.conn.execute("DELETE FROM broadcast_recipients WHERE broadcast_id = ?",
                              (broadcast_id,))
        await db.conn.execute("DELETE FROM broadcasts WHERE id = ?", (broadcast_id,))
    await db.conn.commit()


async def _new_broadcast(db: Database, owner: int, audience: str) -> int:
    broadcast_id = await db.broadcasts.create(owner, {"en": BENCH_MARK}, BENCH_MARK, audience)
    if broadcast_id is None:
        raise RuntimeError("another broadcast is active in this database; finish it first")
    return broadcast_id


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" on {os.cpu_count()} cores"


def _previous_month(today: date) -> str:
    first = today.replace(day=1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


async def time_queries(data_dir: Path, meta: Meta, runs: int,
                       full_broadcast: bool) -> list[Result]:
    from bot.i18n import Catalogs
    from bot.moderation.export import export_bytes
    from bot.moderation.handlers import QUEUE_SCAN
    from bot.moderation.service import ModerationService
    from bot.moderation.stats import load_stats, parse_period
    from bot.services import Services
    from bot.storage.broadcasts import EVERYONE
    from bot.storage.reports import QUEUE_FILTERS

    settings = Settings(data_dir=data_dir, admin_ids=frozenset({meta.owner}))
    db = await Database.open(settings.database_path)
    results: list[Result] = []
    try:
        await _cleanup_broadcasts(db)
        keys = load_report_keys(settings, create=False)
        catalogs = Catalogs.load()
        places = default_places()
        services = Services(settings=settings, db=db, catalogs=catalogs, keys=keys)
        moderation = ModerationService(services, cast(Any, _OfflineBot()))
        reports = ReportService(db, keys, catalogs, settings, places)
        me = meta.moderators[0]
        today = date.today()
        version = await db.schema_version()
        print(f"database {settings.database_path} (schema version {version}, "
              f"{settings.database_path.stat().st_size / 2**20:,.0f} MiB)")
        for table in ("users", "reports", "report_notes", "tickets", "ticket_messages",
                      "processed_updates", "user_state"):
            (count,), = await db.conn.execute_fetchall(f"SELECT COUNT(*) FROM {table}")
            print(f"  {table:<20} {count:>10,} rows")
        print("indexes: " + ", ".join(str(name) for (name,) in await db.conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "ORDER BY tbl_name, name")))
        print(f"\neach: 1 warm-up run, then the median of {runs}; target < {TARGET_MS:.0f} ms; "
              f"load average {_load()}")

        # /queue: the header counts every list, then the list, then the first card.
        async def queue_counts(probe: Probe) -> str:
            counts = {}
            async with probe.timed():
                for name in QUEUE_FILTERS:
                    counts[name] = await db.reports.queue_count(name, me)
            return ", ".join(f"{name} {count:,}" for name, count in counts.items())

        results.append(await run_bench(db, "/queue header: queue_count() of the 6 lists",
                                       queue_counts, runs))
        for name in QUEUE_FILTERS:
            async def queue_list(probe: Probe, name: str = name) -> str:
                async with probe.timed():
                    rows = await db.reports.queue(name, me, limit=QUEUE_SCAN)
                return f"{len(rows)} reports (QUEUE_SCAN={QUEUE_SCAN})"

            results.append(await run_bench(db, f"/queue {name}: queue(limit={QUEUE_SCAN})",
                                           queue_list, runs))
        first = await db.reports.queue("open", me, limit=1)

        async def card(probe: Probe) -> str:
            ref = first[0].ref if first else "R-XXXXXX"
            async with probe.timed():
                data = await moderation.card(ref)
            return f"{ref}: {len(data.notes) if data else 0} notes" if data else "no report"

        results.append(await run_bench(db, "/queue card: ModerationService.card()", card, runs))

        # /stats: the select and the counting (no chart, no message).
        for key in (_previous_month(today), str(today.year - 1), "30d"):
            period = parse_period(key, today)
            assert period is not None

            async def stats(probe: Probe, period: Any = period) -> str:
                async with probe.timed():
                    result = await load_stats(db, period)
                started = time.perf_counter()  # the SQL alone, outside the timed part
                await db.reports.select(since=period.since_iso, until=period.until_iso)
                alone = (time.perf_counter() - started) * 1000
                return f"{result.total:,} reports counted (reports.select() alone {alone:.1f} ms)"

            results.append(await run_bench(db, f"/stats {key}: load_stats()", stats, runs))

        # /export of a month: verified reports, decrypted, as CSV (the handler's call).
        month = parse_period(_previous_month(today), today)
        assert month is not None

        async def export(probe: Probe) -> str:
            async with probe.timed():
                data, filename = await export_bytes(
                    db, keys, "csv", statuses=("verified",), since=month.since,
                    until=month.until, with_descriptions=False, catalogs=catalogs,
                    places=places, today=today)
            lines = data.count(b"\n") - 2  # the names and HXL rows
            started = time.perf_counter()  # the SQL alone, outside the timed part
            await db.reports.select(statuses=("verified",), since=month.since_iso,
                                    until=month.until_iso)
            alone = (time.perf_counter() - started) * 1000
            return (f"{filename}: {lines:,} rows, {len(data):,} bytes "
                    f"(reports.select() alone {alone:.1f} ms)")

        results.append(await run_bench(db, f"/export {month.key} csv: export_bytes()",
                                       export, runs))

        # /myreports of the person with the most reports.
        async def myreports(probe: Probe) -> str:
            async with probe.timed():
                rows = await reports.reports_of(meta.heavy_reporter)
            return f"{len(rows)} reports (user has {meta.heavy_reporter_reports})"

        results.append(await run_bench(db, "/myreports: ReportService.reports_of()",
                                       myreports, runs))

        # Broadcasts: the audience sizes on the preview, then the recipient listing.
        async def sizes(probe: Probe) -> str:
            async with probe.timed():
                result = await db.broadcasts.audience_sizes()
            return ", ".join(f"{key}: {value:,}" for key, value in result.items())

        results.append(await run_bench(db, "broadcast preview: audience_sizes()", sizes, runs))
        for audience in (EVERYONE, "ru"):
            async def one_batch(probe: Probe, audience: str = audience) -> str:
                broadcast_id = await _new_broadcast(db, meta.owner, audience)
                try:
                    async with probe.timed():
                        await db.broadcasts.materialise(broadcast_id, audience,
                                                        should_stop=lambda: True)
                    listed = await db.broadcasts.recipient_count(broadcast_id)
                finally:
                    await _cleanup_broadcasts(db)
                return f"{listed:,} recipients listed in the first batch"

            results.append(await run_bench(
                db, f"broadcast materialise({audience!r}): one batch of 5,000", one_batch, runs))

        async def pending_page(probe: Probe) -> str:
            broadcast_id = await _new_broadcast(db, meta.owner, EVERYONE)
            try:
                await db.broadcasts.materialise(broadcast_id, EVERYONE,
                                                should_stop=lambda: True)
                async with probe.timed():
                    page = await db.broadcasts.pending(broadcast_id, None, 200)
            finally:
                await _cleanup_broadcasts(db)
            return f"{len(page)} recipients in the page"

        results.append(await run_bench(db, "broadcast sender: pending() page of 200",
                                       pending_page, runs))
        if full_broadcast:
            async def full_list(probe: Probe) -> str:
                broadcast_id = await _new_broadcast(db, meta.owner, EVERYONE)
                try:
                    async with probe.timed():
                        listed = await db.broadcasts.materialise(broadcast_id, EVERYONE)
                finally:
                    await _cleanup_broadcasts(db)
                return f"{listed:,} recipients, in batches of 5,000 each committed"

            results.append(await run_bench(db, "broadcast materialise('all'): every user",
                                           full_list, runs, single=True, background=True))
    finally:
        await _cleanup_broadcasts(db)
        await db.close()
    return results


# --- start-up of the real bot ------------------------------------------------------------------

@dataclass
class StartupRun:
    to_polling: float
    reply: float
    hwm_idle_kb: int
    hwm_kb: int
    rss_kb: int


def _proc_status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _sep, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])  # kB
    return values


async def _settled(pid: int, *, quiet: float = 3.0, limit: float = 15.0) -> dict[str, int]:
    """``/proc`` values once VmHWM stopped rising for ``quiet`` seconds (the rest of the
    answer, the persistence flush, anything still being built in the background)."""
    status = _proc_status(pid)
    started = changed = time.perf_counter()
    while time.perf_counter() - changed < quiet and time.perf_counter() - started < limit:
        await asyncio.sleep(0.25)
        now = _proc_status(pid)
        if now.get("VmHWM", 0) != status.get("VmHWM", 0):
            changed = time.perf_counter()
        status = now or status
    return status


def _bot_env(data_dir: Path, api_url: str, file_url: str, owner: int) -> dict[str, str]:
    """As in tests/e2e/conftest.py: the bot's own settings, the fake's URLs."""
    env = {key: value for key, value in os.environ.items()
           if not key.lower().endswith("_proxy")}
    env.update(BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=api_url, TELEGRAM_BASE_FILE_URL=file_url,
               DATA_DIR=str(data_dir), ADMIN_IDS=str(owner), LOG_LEVEL="INFO",
               PYTHONUNBUFFERED="1", NO_PROXY="127.0.0.1,localhost")
    return env


async def _one_start(fake: Any, env: dict[str, str], user: int, text: str) -> StartupRun:
    polls_before = len(fake.calls_of("getUpdates"))
    output = bytearray()
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)

    async def collect() -> None:
        assert proc.stdout is not None
        while chunk := await proc.stdout.read(4096):
            output.extend(chunk)

    reader = asyncio.create_task(collect())
    try:
        deadline = started + 60
        while len(fake.calls_of("getUpdates")) <= polls_before:
            if proc.returncode is not None or time.perf_counter() > deadline:
                raise RuntimeError("the bot did not start polling:\n"
                                   + output.decode("utf-8", "replace")[-3000:])
            await asyncio.sleep(0.002)
        to_polling = time.perf_counter() - started
        idle = _proc_status(proc.pid)
        chat = fake.chat(user)
        chat.skip()
        sent = time.perf_counter()
        fake.send_message(user, text)
        await chat.next_message(timeout=60)
        reply = time.perf_counter() - sent
        status = await _settled(proc.pid)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(proc.wait(), timeout=30)
        except TimeoutError:
            proc.kill()
            code = await proc.wait()
        await reader
    if code != 0 or b"Traceback" in output:
        raise RuntimeError(f"the bot exited with {code}:\n"
                           + output.decode("utf-8", "replace")[-3000:])
    return StartupRun(to_polling, reply, idle.get("VmHWM", 0), status.get("VmHWM", 0),
                      status.get("VmRSS", 0))


def _copy_database(source: Path, target_dir: Path) -> None:
    """A consistent copy with SQLite's backup API (what ``python -m bot backup`` uses)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target_dir / DB_NAME)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.chmod(target_dir / DB_NAME, 0o600)
    shutil.copy2(source.parent / "report.key", target_dir / "report.key")


async def _start_runs(label: str, data_dir: Path, meta: Meta, runs: int,
                      text: str) -> list[StartupRun]:
    """A warm-up start and ``runs`` measured ones of the real bot on ``data_dir``."""
    from bot.fakeapi import FakeTelegram

    print(f"\n== start-up of `python -m bot run` on {label}; then {text!r} from user "
          f"{meta.startup_user}; load average {_load()}")
    fake = FakeTelegram(TOKEN)
    await fake.start()
    results = []
    try:
        fake.add_user(meta.startup_user, "Scale", language_code=meta.startup_user_locale)
        env = _bot_env(data_dir, fake.api_url, fake.file_url, meta.owner)
        for number in range(runs + 1):
            run = await _one_start(fake, env, meta.startup_user, text)
            name = "warm-up" if number == 0 else f"run {number}"
            print(f"   {name:<8} first getUpdates after {run.to_polling:.2f} s; reply in "
                  f"{run.reply * 1000:.0f} ms; VmHWM {run.hwm_idle_kb / 1024:.0f} MiB at the "
                  f"first getUpdates, {run.hwm_kb / 1024:.0f} MiB once settled after the reply "
                  f"(VmRSS then {run.rss_kb / 1024:.0f} MiB)", flush=True)
            if number:
                results.append(run)
    finally:
        await fake.stop()
    return results


async def time_startup(data_dir: Path, meta: Meta, runs: int, text: str, jobs: bool,
                       baseline: bool) -> tuple[list[StartupRun], list[StartupRun], list[Result]]:
    """Start-up on a copy of the generated database (and, with ``baseline``, on an empty
    one, to see what the size adds); then the periodic jobs on that copy."""
    empty: list[StartupRun] = []
    job_results: list[Result] = []
    if baseline:
        with tempfile.TemporaryDirectory(prefix="scale-empty-", dir=data_dir.parent) as tmp:
            empty = await _start_runs("an empty database (a new user: language picker)",
                                      Path(tmp), meta, runs, text)
    with tempfile.TemporaryDirectory(prefix="scale-startup-", dir=data_dir.parent) as tmp:
        copy_dir = Path(tmp)
        started = time.perf_counter()
        _copy_database(data_dir / DB_NAME, copy_dir)
        copied = time.perf_counter() - started
        large = await _start_runs(f"a copy of the generated database ({copied:.1f} s to copy; "
                                  "a known user)", copy_dir, meta, runs, text)
        if jobs:
            job_results = await time_jobs(copy_dir, meta)
    return large, empty, job_results


async def time_jobs(copy_dir: Path, meta: Meta) -> list[Result]:
    """/forget's broadcast clean-up and the periodic clean-up jobs, one run each (they
    delete rows: only on the throw-away copy), with the defaults of ``Settings``. The copy
    first gets what one real broadcast to everyone leaves: a recipient row per user."""
    from bot.storage.broadcasts import DONE, EVERYONE

    settings = Settings(data_dir=copy_dir)
    db = await Database.open(settings.database_path)
    now = datetime.now(UTC)
    results: list[Result] = []
    try:
        started = time.perf_counter()
        broadcast_id = await _new_broadcast(db, meta.owner, EVERYONE)
        listed = await db.broadcasts.materialise(broadcast_id, EVERYONE)
        await db.broadcasts.set_status(broadcast_id, DONE)
        print(f"\non the throw-away copy, after a finished broadcast to everyone ({listed:,} "
              f"recipient rows, {time.perf_counter() - started:.1f} s to list); each deletes "
              "rows, so 1 run:")

        async def forget(probe: Probe) -> str:
            async with probe.timed():
                deleted = await db.broadcasts.forget_user(meta.startup_user)
            return f"{deleted} recipient row(s) of the user deleted"

        results.append(await run_bench(db, "/forget: broadcasts.forget_user()", forget, 1,
                                       single=True))

        async def prune(probe: Probe) -> str:
            async with probe.timed():
                await db.state.prune_processed()
            return "processed_updates older than 2 days deleted (6-hourly)"

        async def user_state(probe: Probe) -> str:
            cutoff = _iso(now - timedelta(days=settings.question_retention_days))
            async with probe.timed():
                deleted = await db.state.purge_user_state_before(cutoff)
            return f"{deleted:,} user_state rows deleted (6-hourly)"

        async def tickets(probe: Probe) -> str:
            cutoff = _iso(now - timedelta(days=settings.ticket_retention_days))
            async with probe.timed():
                rows = await db.tickets.closed_before(cutoff)
            return f"{len(rows)} tickets to unlink (6-hourly)"

        async def drafts(probe: Probe) -> str:
            async with probe.timed():
                rows = await db.reports.stale_drafts(now - timedelta(
                    hours=settings.draft_ttl_hours))
            return f"{len(rows)} stale drafts (every 10 min)"

        benches: list[tuple[str, Bench]] = [
            ("job prune-processed: prune_processed()", prune),
            ("job question-retention: purge_user_state_before()", user_state),
            ("job ticket-retention: closed_before()", tickets),
            ("job report-draft-expiry: stale_drafts()", drafts),
        ]
        forget_idle = getattr(db.users, "forget_idle", None)
        if forget_idle is not None and settings.user_retention_days > 0:
            async def idle(probe: Probe) -> str:
                cutoff = (now - timedelta(days=settings.user_retention_days)).date().isoformat()
                async with probe.timed():
                    deleted = await forget_idle(cutoff)
                return f"{deleted:,} users forgotten (daily)"

            benches.append(("job user-retention: forget_idle()", idle))
        for name, bench in benches:
            results.append(await run_bench(db, name, bench, 1, single=True, background=True))
    finally:
        await db.close()
    return results


# --- the command ---------------------------------------------------------------------------------

def time_command(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    meta_path = data_dir / META_NAME
    if not (data_dir / DB_NAME).exists() or not meta_path.exists():
        print(f"no generated database in {data_dir}: run `generate` first", file=sys.stderr)
        return 2
    meta = Meta(**json.loads(meta_path.read_text("utf-8")))
    results = asyncio.run(time_queries(data_dir, meta, args.runs, args.full_broadcast))
    startup: list[StartupRun] = []
    empty: list[StartupRun] = []
    jobs: list[Result] = []
    if args.startup:
        startup, empty, jobs = asyncio.run(time_startup(data_dir, meta, args.runs,
                                                        args.message, args.jobs, args.baseline))
    _summary(results, jobs, startup, empty)
    return 0


def _summary(results: list[Result], jobs: list[Result], startup: list[StartupRun],
             empty: list[StartupRun]) -> None:
    print("\n== summary (target: each query < 100 ms, start-up < 5 s, peak RSS < 150 MB)")
    print(f"   {'query':<62} {'ms':>9}  over?  full scans   (bg: background, no user waits)")
    for result in [*results, *jobs]:
        over = "bg" if result.background else "OVER" if result.median_ms >= TARGET_MS else "ok"
        scans = "; ".join(dict.fromkeys(
            re.sub(r"\s+<--.*", "", line) for line in result.scans)) or "-"
        suffix = " (1 run)" if result.single else ""
        print(f"   {result.name + suffix:<62} {result.median_ms:9.1f}  {over:<5}  {scans}")
    for label, runs in (("generated database", startup), ("empty database", empty)):
        if not runs:
            continue
        to_polling = statistics.median(run.to_polling for run in runs)
        reply = statistics.median(run.reply for run in runs) * 1000
        idle = statistics.median(run.hwm_idle_kb / 1024 for run in runs)
        hwm = [run.hwm_kb / 1024 for run in runs]
        print(f"   start-up, {label}: first getUpdates after median {to_polling:.2f} s "
              f"({'ok' if to_polling < TARGET_STARTUP_S else 'OVER'}); reply median "
              f"{reply:.0f} ms; VmHWM at the first getUpdates {idle:.0f} MiB, after the reply "
              f"median {statistics.median(hwm):.0f} MiB, max {max(hwm):.0f} MiB "
              f"({'ok' if max(hwm) < TARGET_RSS_MB else 'OVER'})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join((__doc__ or "").split("\n\n")[0].split()))
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="create a large database in DATA_DIR")
    gen.add_argument("data_dir", metavar="DATA_DIR")
    gen.add_argument("--users", type=int, default=1_000_000)
    gen.add_argument("--reports", type=int, default=100_000)
    gen.add_argument("--tickets", type=int, default=10_000)
    gen.add_argument("--processed", type=int, default=1_000_000,
                     help="processed_updates rows (update de-duplication)")
    gen.add_argument("--user-state", type=int, default=100_000,
                     help="user_state rows (sealed per-user data)")
    gen.add_argument("--drafts", type=int, default=300, help="unfinished report drafts")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--force", action="store_true", help="replace an existing database")
    tim = sub.add_parser("time", help="time the queries on a generated database")
    tim.add_argument("data_dir", metavar="DATA_DIR")
    tim.add_argument("--runs", type=int, default=5)
    tim.add_argument("--message", default=QUESTION,
                     help="what the user sends once the bot polls (default: a question the "
                          "knowledge base answers, so the reply waits for the search index)")
    tim.add_argument("--no-startup", dest="startup", action="store_false",
                     help="skip the start-up measurement (and the periodic jobs)")
    tim.add_argument("--no-full-broadcast", dest="full_broadcast", action="store_false",
                     help="skip listing every user as recipients (takes seconds)")
    tim.add_argument("--no-jobs", dest="jobs", action="store_false",
                     help="skip the periodic clean-up jobs on the copy")
    tim.add_argument("--no-baseline", dest="baseline", action="store_false",
                     help="skip the start-up on an empty database")
    args = parser.parse_args(argv)
    return generate(args) if args.command == "generate" else time_command(args)


if __name__ == "__main__":
    sys.exit(main())
