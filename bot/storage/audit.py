"""The moderators' audit log: append-only (database triggers refuse edits and deletes).

It records who (a staff id), what, when, which report and the status before and after;
``detail`` holds codes only (a reason code, a target id), never text a person typed."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.base import Repository, now_iso


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: int
    action: str
    ref: str | None
    old_status: str | None
    new_status: str | None
    detail: str | None


class AuditRepository(Repository):
    async def record(self, actor: int, action: str, *, ref: str | None = None,
                     old_status: str | None = None, new_status: str | None = None,
                     detail: str | None = None) -> None:
        await self._conn.execute(
            "INSERT INTO audit_log (at, actor, action, ref, old_status, new_status, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now_iso(), actor, action, ref, old_status, new_status, detail),
        )
        await self._conn.commit()

    async def recent(self, limit: int = 20, ref: str | None = None) -> list[AuditEntry]:
        where, params = ("WHERE ref = ?", (ref, limit)) if ref else ("", (limit,))
        rows = await self._all(
            "SELECT id, at, actor, action, ref, old_status, new_status, detail FROM audit_log "
            f"{where} ORDER BY id DESC LIMIT ?", params)
        return [AuditEntry(*row) for row in rows]
