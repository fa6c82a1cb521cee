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
)
