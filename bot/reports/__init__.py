"""Incident reports: a guided, private, crash-safe report flow into a review queue.

Pure logic lives in the sub-modules (dates, draft, summary, crypto, places, service);
``bot.reports.handlers`` is the thin Telegram layer.
"""
