"""Moderation: review queue, reporter questions, statistics and export."""
