"""Hamroh: a Telegram companion bot for Tajik labour migrants in Russia."""

__version__ = "0.1.0"
