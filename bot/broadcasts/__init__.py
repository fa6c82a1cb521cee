"""Broadcasts: owners send an announcement to every user, or to the users of one language."""
