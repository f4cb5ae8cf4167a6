"""General graph layouts (placeholder being replaced by the graph-layout work)."""

from __future__ import annotations


class GraphLayout:  # pragma: no cover - replaced
    kind = "graph"
