"""Benchmark suite (pytest-benchmark): run with ``python -m pytest benchmarks --benchmark-only``.

Not collected by the normal test run (``testpaths = ["tests"]``). Every benchmark has a fixed
seed and a fixed budget and asserts its result, so a fast wrong answer fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
