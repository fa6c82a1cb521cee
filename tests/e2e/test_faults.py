"""Faults: the bot process killed (SIGKILL) while many people send reports at once.

Invariants after every kill and restart: each report whose receipt reached its sender
exists exactly once; a report stored before the kill is announced and confirmed after the
restart (the outbox); an unfinished draft goes on where it stopped.

The CI variant runs one round with a few users. The long variant is run by hand:

    HAMROH_FAULT_USERS=30 HAMROH_FAULT_ROUNDS=10 .venv/bin/python -m pytest tests/e2e/test_faults.py
"""

from __future__ import annotations

import os
import random
import signal

from bot.fakeapi import FakeTelegram
from bot.reports import screens
from tests.e2e.conftest import ADMIN_ID, BotProcess, start_in
from tests.e2e.test_reports import REF, Reporter, stored_reports

USERS = int(os.environ.get("HAMROH_FAULT_USERS", "6"))
ROUNDS = int(os.environ.get("HAMROH_FAULT_ROUNDS", "1"))
SEED = int(os.environ.get("HAMROH_FAULT_SEED", "20261206"))
FIRST_USER = 5000


async def _receipt_refs(reporter: Reporter) -> list[str]:
    """Every reference the bot has sent this user in a receipt so far."""
    return [match.group(0) for event in reporter.fake.transcript(reporter.user_id)
            if event.message is not None and event.message.text
            and "Your report has been saved" in event.message.text
            for match in [REF.search(event.message.text)] if match]


async def test_kills_during_concurrent_submissions_lose_and_duplicate_nothing(
        fake: FakeTelegram, bot: BotProcess) -> None:
    chance = random.Random(SEED)
    await start_in(fake, ADMIN_ID, "en")
    for round_number in range(ROUNDS):
        first = FIRST_USER + round_number * USERS
        users = [Reporter(fake, first + n, "en") for n in range(USERS)]
        for user in users:
            await start_in(fake, user.user_id, "en")
        for user in users:
            await user.start()
            await user.answer_all()
        # Half of them are still reading their summary at the kill; the rest send.
        writing = users[: USERS // 2]
        sending = users[USERS // 2:]
        sends = len(fake.calls_of("sendMessage"))
        for user in sending:  # all at once
            fake.press_button(user.user_id, user.screen.message_id,  # type: ignore[union-attr]
                              user.t(screens.CONFIRM))
        threshold = sends + chance.randint(0, len(sending))
        await fake.wait_for(lambda at=threshold: len(fake.calls_of("sendMessage")) >= at,
                            timeout=30)
        await bot.stop(signal.SIGKILL)
        await bot.start()

        # Everyone who was sending gets a receipt: from before the kill, from the outbox,
        # or by pressing Confirm again if their press was lost with the process.
        for user in sending:
            if not await _wait_for_receipt(user, 8.0):
                fake.press_button(user.user_id, user.screen.message_id,  # type: ignore[union-attr]
                                  user.t(screens.CONFIRM))
                assert await _wait_for_receipt(user, 20.0), fake.describe_chat(user.user_id)
        # The unfinished drafts survived: their old summaries still send.
        for user in writing:
            fake.press_button(user.user_id, user.screen.message_id,  # type: ignore[union-attr]
                              user.t(screens.CONFIRM))
            assert await _wait_for_receipt(user, 20.0), fake.describe_chat(user.user_id)

        stored = {row.ref for row, _content in await _reports_now(bot)}
        for user in users:
            refs = set(await _receipt_refs(user))
            assert len(refs) == 1, (user.user_id, refs)  # one report, maybe told twice
            assert refs <= stored
        assert len(stored) == (round_number + 1) * USERS  # nothing lost, nothing twice


async def _wait_for_receipt(user: Reporter, timeout: float) -> bool:
    try:
        await user.fake.wait_for(lambda: any(
            "Your report has been saved" in (e.message.text or "")
            for e in user.fake.transcript(user.user_id) if e.message is not None),
            timeout=timeout)
    except AssertionError:
        return False
    return True


async def _reports_now(bot: BotProcess) -> list:  # type: ignore[type-arg]
    """The stored reports, read while the bot runs (WAL readers do not block it)."""
    return await stored_reports(bot.data_dir)
