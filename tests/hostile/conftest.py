"""Hostile input: the e2e harness's fixtures (the real bot against the strict fake) and
one set of Hypothesis settings for every property test here.

Hypothesis runs derandomized and without an example database, so a run is the same on
every machine; its caches go to the temporary directory (or HYPOTHESIS_STORAGE_DIRECTORY),
not into the checkout.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests.e2e.conftest import bot, bot_env, fake, seed, seeded_data

__all__ = ["FUZZ", "FUZZ_SLOW", "bot", "bot_env", "fake", "seed", "seeded_data"]

if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "hamroh-hypothesis")

_COMMON = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "print_blob": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
FUZZ = settings(max_examples=200, **_COMMON)  # plain functions: milliseconds each
FUZZ_SLOW = settings(max_examples=60, **_COMMON)  # the search engine, whole screens
