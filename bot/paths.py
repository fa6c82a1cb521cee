"""Where the project's data files live.

Locales and the knowledge base are plain files in the repository, next to the
``bot`` package. Deployments that move them elsewhere set ``LOCALES_DIR`` or
``KNOWLEDGE_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def locales_dir() -> Path:
    return Path(os.environ.get("LOCALES_DIR") or PROJECT_ROOT / "locales")


def knowledge_dir() -> Path:
    return Path(os.environ.get("KNOWLEDGE_DIR") or PROJECT_ROOT / "knowledge")


def shared_dir() -> Path:
    """The project's shared research folder, beside the checkout (may be absent)."""
    return Path(os.environ.get("HAMROH_SHARED_DIR") or PROJECT_ROOT.parent / "shared")
