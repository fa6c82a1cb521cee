from __future__ import annotations

from bot.flood import FloodGuard, Verdict


async def test_burst_then_one_warning_then_drops() -> None:
    guard = FloodGuard(burst=3, period=60)
    verdicts = [await guard.check(1) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert await guard.check(2) is Verdict.ALLOW  # other users are not affected


async def test_tracked_users_are_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import bot.flood as flood

    monkeypatch.setattr(flood, "MAX_TRACKED_USERS", 2)
    guard = FloodGuard(burst=1, period=60)
    for user in (1, 2, 3):
        assert await guard.check(user) is Verdict.ALLOW
    assert len(guard._buckets) == 2
    assert await guard.check(1) is Verdict.ALLOW  # forgotten, so a fresh bucket


async def test_a_long_flood_gets_one_notice_per_period() -> None:
    """The bucket lets a message through now and then; the notice is not repeated each
    time, only after a whole period."""
    import asyncio

    now = [0.0]
    guard = FloodGuard(burst=1, period=0.05, clock=lambda: now[0])
    assert await guard.check(1) is Verdict.ALLOW
    assert await guard.check(1) is Verdict.WARN
    await asyncio.sleep(0.06)  # the bucket (real time) lets one more through
    assert await guard.check(1) is Verdict.ALLOW
    assert await guard.check(1) is Verdict.DROP  # still within the period of the notice
    now[0] = 0.05
    assert await guard.check(1) is Verdict.WARN  # a period later: reminded once
    assert await guard.check(1) is Verdict.DROP
