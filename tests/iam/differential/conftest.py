"""The differential test's support modules (generator, comparison, simulator bridge) sit
beside its tests and are imported by name; --import-mode=importlib does not put test
folders on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
