"""Versioned schema. Append new migrations; never edit one that has shipped."""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            locale TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            blocked_bot INTEGER NOT NULL DEFAULT 0,
            banned INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE processed_updates (
            update_id INTEGER PRIMARY KEY,
            seen_at TEXT NOT NULL
        );
        CREATE TABLE persistence_user_data (
            user_id INTEGER PRIMARY KEY,
            data TEXT NOT NULL
        );
        CREATE TABLE persistence_conversations (
            name TEXT NOT NULL,
            conv_key TEXT NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (name, conv_key)
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE answer_feedback (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL,
            helpful INTEGER NOT NULL,
            locale TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE unanswered_questions (
            id INTEGER PRIMARY KEY,
            question TEXT NOT NULL,
            lang TEXT NOT NULL,
            best_ids TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE human_requests (
            id INTEGER PRIMARY KEY,
            requester_hash TEXT NOT NULL,
            payload BLOB NOT NULL,
            locale TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open',
            created_at TEXT NOT NULL
        );
        CREATE INDEX human_requests_status ON human_requests(status);
        CREATE INDEX human_requests_requester ON human_requests(requester_hash);
        """,
    ),
    (
        3,
        # Incident reports. Free text, evidence, contact permission and the Telegram id
        # exist only inside `content` (AES-GCM); `reporter` is a keyed hash, NULL after
        # /forget. The other columns are the structured fields kept for statistics.
        """
        CREATE TABLE report_drafts (
            reporter TEXT PRIMARY KEY,
            draft_id TEXT NOT NULL UNIQUE,
            content BLOB NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX report_drafts_updated ON report_drafts(updated_at);
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE,
            draft_id TEXT NOT NULL UNIQUE,
            reporter TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new',
            locale TEXT NOT NULL,
            incident TEXT NOT NULL,
            place TEXT NOT NULL,
            incident_date TEXT NOT NULL,
            affected TEXT NOT NULL,
            people TEXT NOT NULL,
            groups TEXT NOT NULL,
            held TEXT,
            urgent INTEGER NOT NULL,
            content BLOB NOT NULL
        );
        CREATE INDEX reports_reporter ON reports(reporter);
        CREATE INDEX reports_status ON reports(status);
        """,
    ),
    (
        4,
        # Moderation. Staff ids are NGO staff, not reporters. Notes, questions to the
        # reporter, their answers and typed reasons are encrypted like report contents.
        # The audit log is append-only: triggers refuse every UPDATE and DELETE.
        """
        ALTER TABLE reports ADD COLUMN assignee INTEGER;
        ALTER TABLE reports ADD COLUMN awaiting_reply INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reports ADD COLUMN status_detail TEXT;
        CREATE INDEX reports_queue ON reports(status, urgent, id);
        CREATE INDEX reports_created ON reports(created_at);
        CREATE TABLE staff (
            user_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            moderator INTEGER NOT NULL DEFAULT 0,
            added_by INTEGER,
            added_at TEXT,
            seen_at TEXT
        );
        CREATE TABLE report_notes (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL REFERENCES reports(ref) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            author INTEGER,
            created_at TEXT NOT NULL,
            content BLOB NOT NULL
        );
        CREATE INDEX report_notes_ref ON report_notes(ref);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor INTEGER NOT NULL,
            action TEXT NOT NULL,
            ref TEXT,
            old_status TEXT,
            new_status TEXT,
            detail TEXT
        );
        CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,
    ),
    (
        5,
        # Support tickets ("Ask a person"). `requester` is the keyed hash of the user id
        # (NULL once the identity link is dropped: retention or /forget); the Telegram id,
        # whether the user agreed to show their name, and every message are encrypted.
        # `ticket_relays` maps the copies shown to staff back to their ticket, so a reply
        # to any of them reaches the user; it holds staff-side message ids only.
        """
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            requester TEXT,
            content BLOB NOT NULL,
            locale TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open',
            assignee INTEGER,
            thread_id INTEGER,
            last_article TEXT,
            rating INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE UNIQUE INDEX tickets_one_open ON tickets(requester)
            WHERE status = 'open' AND requester IS NOT NULL;
        CREATE INDEX tickets_requester ON tickets(requester);
        CREATE INDEX tickets_status ON tickets(status, id);
        CREATE TABLE ticket_messages (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
            direction TEXT NOT NULL,
            author INTEGER,
            created_at TEXT NOT NULL,
            content BLOB NOT NULL
        );
        CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id);
        CREATE TABLE ticket_relays (
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
            PRIMARY KEY (chat_id, message_id)
        );
        CREATE INDEX ticket_relays_ticket ON ticket_relays(ticket_id);
        """,
    ),
    (
        6,
        # Broadcasts. Announcements are public texts, kept in clear. One row per recipient,
        # written before moving on, so a restart resumes without a second copy.
        """
        CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            owner INTEGER NOT NULL,
            texts TEXT NOT NULL,
            fallback TEXT NOT NULL,
            audience TEXT NOT NULL,
            status TEXT NOT NULL,
            progress_chat INTEGER,
            progress_message INTEGER,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE TABLE broadcast_recipients (
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            PRIMARY KEY (broadcast_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX broadcast_recipients_status ON broadcast_recipients(broadcast_id, status);
        CREATE INDEX users_locale ON users(locale);
        """,
    ),
    (
        7,
        # What people write after 👎 ("what was missing"), for the editors: no user column;
        # the text is encrypted (people write names and document numbers anywhere).
        # Indexes for the editors' view, which reads these tables newest first.
        """
        CREATE TABLE feedback_comments (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL,
            locale TEXT NOT NULL,
            created_at TEXT NOT NULL,
            content BLOB NOT NULL
        );
        CREATE INDEX feedback_comments_article ON feedback_comments(article_id, created_at);
        CREATE INDEX unanswered_questions_created ON unanswered_questions(created_at);
        CREATE INDEX answer_feedback_created ON answer_feedback(created_at);
        """,
    ),
    (
        8,
        # Several incident types per report (held, passport taken, money demanded): all of
        # them, the main one first; ``incident`` stays the main one.
        """
        ALTER TABLE reports ADD COLUMN incidents TEXT NOT NULL DEFAULT '';
        UPDATE reports SET incidents = incident;
        """,
    ),
    (
        9,
        # Questions the bot could not answer: people type their whole story, names and
        # document numbers there. The text is encrypted (bound to its row), the row keeps
        # a per-purpose keyed hash of who asked (for /forget, joinable with nothing else),
        # and rows are deleted after QUESTION_RETENTION_DAYS. Rows written before this
        # migration are encrypted at the next start (``seal_legacy_questions``).
        """
        ALTER TABLE unanswered_questions ADD COLUMN owner TEXT;
        ALTER TABLE unanswered_questions ADD COLUMN sealed BLOB;
        CREATE INDEX unanswered_questions_owner ON unanswered_questions(owner);
        """,
    ),
    (
        10,
        # The "Ask a person" queue of before tickets: nothing writes or reads it any more,
        # and its rows (sealed questions with the asker's id) must not outlive their use.
        """
        DROP TABLE IF EXISTS human_requests;
        """,
    ),
    (
        11,
        # What the bot keeps between updates, sealed and keyed by a keyed hash instead of
        # the Telegram id (the old tables are converted and dropped at the next start,
        # which needs the key: ``StateRepository.legacy_state``). ``updated_at`` lets an
        # abandoned report's step be deleted with its draft, and idle data expire.
        # ``users`` keeps days, not seconds: a second would match a report's creation.
        """
        CREATE TABLE user_state (
            owner TEXT PRIMARY KEY,
            sealed BLOB NOT NULL,
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX user_state_updated ON user_state(updated_at);
        CREATE TABLE conversation_state (
            name TEXT NOT NULL,
            owner TEXT NOT NULL,
            sealed BLOB NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (name, owner)
        ) WITHOUT ROWID;
        CREATE INDEX conversation_state_updated ON conversation_state(name, updated_at);
        UPDATE users SET first_seen = substr(first_seen, 1, 10),
                         last_seen = substr(last_seen, 1, 10);
        CREATE INDEX users_last_seen ON users(last_seen);
        """,
    ),
    (
        12,
        # What must still be said about a stored report (the moderators' announcement, the
        # reporter's receipt): written in the report's own transaction, deleted once said,
        # so a crash in between loses neither. The payload (who to tell) is sealed.
        """
        CREATE TABLE report_outbox (
            ref TEXT PRIMARY KEY REFERENCES reports(ref) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            sealed BLOB NOT NULL,
            created_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    ),
    (
        13,
        # From benchmarks/scale_db.py (1,000,000 users, 100,000 reports): statistics and
        # exports by incident date, the broadcast audience count, /forget's broadcast
        # clean-up and the pruning of processed updates each read a whole table without them.
        """
        CREATE INDEX reports_incident_date ON reports(incident_date);
        CREATE INDEX reports_status_date ON reports(status, incident_date);
        CREATE INDEX users_reachable_locale ON users(locale)
            WHERE blocked_bot = 0 AND banned = 0;
        CREATE INDEX broadcast_recipients_user ON broadcast_recipients(user_id);
        CREATE INDEX processed_updates_seen ON processed_updates(seen_at);
        """,
    ),
    (
        14,
        # /stats counts a period's reports per column (``ReportRepository.tally``): with
        # every counted column in the index, SQLite counts from the index alone and never
        # reads the reports' sealed content (a year of 50,000 reports: 430 ms → see
        # BENCHMARKS.md).
        """
        CREATE INDEX reports_tally ON reports(incident_date, status, place, people, groups,
                                              urgent, incident, incidents);
        """,
    ),
    (
        15,
        # /stats reads summaries kept by triggers instead of counting the reports: a year of
        # 50,000 reports took 130–160 ms as seven grouped scans of the covering index of
        # migration 14, which this replaces. ``report_tally``: one row per incident date (as
        # stored: a month-only date stays "2025-12"), status, counted column and value; ``n``
        # is how many reports have it. ``report_tally_month``: the same per month, kept from
        # the daily rows, for the whole months of a period. Rows that reach 0 are deleted, so
        # the dates present are the reports' dates.
        """
        DROP INDEX reports_tally;
        CREATE TABLE report_tally (
            incident_date TEXT NOT NULL,
            status TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (incident_date, status, name, value)
        ) WITHOUT ROWID;
        CREATE TABLE report_tally_month (
            month TEXT NOT NULL,
            status TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (month, status, name, value)
        ) WITHOUT ROWID;
        INSERT INTO report_tally (incident_date, status, name, value, n)
        SELECT incident_date, status, 'status', reports.status,
            COUNT(*) FROM reports GROUP BY 1, 2, 4
        UNION ALL SELECT incident_date, status, 'incidents',
            COALESCE(NULLIF(reports.incidents, ''), reports.incident),
            COUNT(*) FROM reports GROUP BY 1, 2, 4
        UNION ALL SELECT incident_date, status, 'place', reports.place,
            COUNT(*) FROM reports GROUP BY 1, 2, 4
        UNION ALL SELECT incident_date, status, 'month', substr(reports.incident_date, 1, 7),
            COUNT(*) FROM reports GROUP BY 1, 2, 4
        UNION ALL SELECT incident_date, status, 'groups', reports.groups,
            COUNT(*) FROM reports GROUP BY 1, 2, 4
        UNION ALL SELECT incident_date, status, 'people', reports.people,
            COUNT(*) FROM reports GROUP BY 1, 2, 4
        UNION ALL SELECT incident_date, status, 'urgent', reports.urgent,
            COUNT(*) FROM reports GROUP BY 1, 2, 4;
        INSERT INTO report_tally_month (month, status, name, value, n)
        SELECT substr(incident_date, 1, 7), status, name, value, SUM(n) FROM report_tally
        GROUP BY 1, 2, 3, 4;
        CREATE TRIGGER report_tally_month_insert AFTER INSERT ON report_tally BEGIN
            INSERT INTO report_tally_month (month, status, name, value, n)
                VALUES (substr(NEW.incident_date, 1, 7), NEW.status, NEW.name, NEW.value, NEW.n)
                ON CONFLICT (month, status, name, value) DO UPDATE SET n = n + excluded.n;
        END;
        CREATE TRIGGER report_tally_month_update AFTER UPDATE OF n ON report_tally BEGIN
            UPDATE report_tally_month SET n = n + NEW.n - OLD.n
                WHERE month = substr(NEW.incident_date, 1, 7) AND status = NEW.status
                AND name = NEW.name AND value = NEW.value;
        END;
        CREATE TRIGGER report_tally_month_delete AFTER DELETE ON report_tally BEGIN
            UPDATE report_tally_month SET n = n - OLD.n
                WHERE month = substr(OLD.incident_date, 1, 7) AND status = OLD.status
                AND name = OLD.name AND value = OLD.value;
            DELETE FROM report_tally_month
                WHERE month = substr(OLD.incident_date, 1, 7) AND status = OLD.status
                AND name = OLD.name AND value = OLD.value AND n = 0;
        END;
        CREATE TRIGGER report_tally_insert AFTER INSERT ON reports BEGIN
            INSERT INTO report_tally (incident_date, status, name, value, n) VALUES
                (NEW.incident_date, NEW.status, 'status', NEW.status, 1),
                (NEW.incident_date, NEW.status, 'incidents',
                    COALESCE(NULLIF(NEW.incidents, ''), NEW.incident), 1),
                (NEW.incident_date, NEW.status, 'place', NEW.place, 1),
                (NEW.incident_date, NEW.status, 'month',
                    substr(NEW.incident_date, 1, 7), 1),
                (NEW.incident_date, NEW.status, 'groups', NEW.groups, 1),
                (NEW.incident_date, NEW.status, 'people', NEW.people, 1),
                (NEW.incident_date, NEW.status, 'urgent', NEW.urgent, 1)
                ON CONFLICT (incident_date, status, name, value)
                DO UPDATE SET n = n + excluded.n;
        END;
        CREATE TRIGGER report_tally_delete AFTER DELETE ON reports BEGIN
            INSERT INTO report_tally (incident_date, status, name, value, n) VALUES
                (OLD.incident_date, OLD.status, 'status', OLD.status, -1),
                (OLD.incident_date, OLD.status, 'incidents',
                    COALESCE(NULLIF(OLD.incidents, ''), OLD.incident), -1),
                (OLD.incident_date, OLD.status, 'place', OLD.place, -1),
                (OLD.incident_date, OLD.status, 'month',
                    substr(OLD.incident_date, 1, 7), -1),
                (OLD.incident_date, OLD.status, 'groups', OLD.groups, -1),
                (OLD.incident_date, OLD.status, 'people', OLD.people, -1),
                (OLD.incident_date, OLD.status, 'urgent', OLD.urgent, -1)
                ON CONFLICT (incident_date, status, name, value)
                DO UPDATE SET n = n + excluded.n;
            DELETE FROM report_tally
                WHERE incident_date = OLD.incident_date AND status = OLD.status AND n = 0;
        END;
        CREATE TRIGGER report_tally_update
        AFTER UPDATE OF status, incident_date, place, people, groups, urgent, incident, incidents
        ON reports BEGIN
            INSERT INTO report_tally (incident_date, status, name, value, n) VALUES
                (OLD.incident_date, OLD.status, 'status', OLD.status, -1),
                (OLD.incident_date, OLD.status, 'incidents',
                    COALESCE(NULLIF(OLD.incidents, ''), OLD.incident), -1),
                (OLD.incident_date, OLD.status, 'place', OLD.place, -1),
                (OLD.incident_date, OLD.status, 'month',
                    substr(OLD.incident_date, 1, 7), -1),
                (OLD.incident_date, OLD.status, 'groups', OLD.groups, -1),
                (OLD.incident_date, OLD.status, 'people', OLD.people, -1),
                (OLD.incident_date, OLD.status, 'urgent', OLD.urgent, -1)
                ON CONFLICT (incident_date, status, name, value)
                DO UPDATE SET n = n + excluded.n;
            INSERT INTO report_tally (incident_date, status, name, value, n) VALUES
                (NEW.incident_date, NEW.status, 'status', NEW.status, 1),
                (NEW.incident_date, NEW.status, 'incidents',
                    COALESCE(NULLIF(NEW.incidents, ''), NEW.incident), 1),
                (NEW.incident_date, NEW.status, 'place', NEW.place, 1),
                (NEW.incident_date, NEW.status, 'month',
                    substr(NEW.incident_date, 1, 7), 1),
                (NEW.incident_date, NEW.status, 'groups', NEW.groups, 1),
                (NEW.incident_date, NEW.status, 'people', NEW.people, 1),
                (NEW.incident_date, NEW.status, 'urgent', NEW.urgent, 1)
                ON CONFLICT (incident_date, status, name, value)
                DO UPDATE SET n = n + excluded.n;
            DELETE FROM report_tally
                WHERE incident_date = OLD.incident_date AND status = OLD.status AND n = 0;
        END;
        """,
    ),
)
