"""The HTML report: one self-contained file, every strategy, the recommendation, escaped text."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wms.report.html import render_html, write_html
from wms.scenario.result import Comparison

N_FIGURES = 5


class Tags(HTMLParser):
    """Collects the tags and their attributes of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture(scope="module")
def html(comparison: Comparison) -> str:
    return render_html(comparison)


def test_one_self_contained_file(html: str) -> None:
    tags = parse(html)
    refs = [a[k] or "" for _, a in tags for k in ("src", "href") if k in a]
    assert not [r for r in refs if re.match(r"\s*(https?:)?//", r, re.I)]
    assert all(r.startswith("data:image/") for r in refs)
    assert not [t for t, _ in tags if t in ("script", "link", "iframe")]
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)


def test_embeds_every_figure(html: str) -> None:
    images = [a for t, a in parse(html) if t == "img"]
    assert len(images) == N_FIGURES
    assert all(a.get("alt") for a in images)
    kinds = {(a["src"] or "").split(";")[0] for a in images}
    assert kinds == {"data:image/svg+xml", "data:image/png"}


def test_contains_strategies_and_recommendation(html: str, comparison: Comparison) -> None:
    for name in comparison.strategies:
        assert name in html
    rec = comparison.recommendation
    assert '<span class="best">sort_zone</span>' in html
    for reason in rec.reasons:
        assert reason in html
    assert html.index("Recommendation") < html.index('<table class="kpis">')


def test_kpi_table_marks_the_best(html: str, comparison: Comparison) -> None:
    rows = re.findall(r"<tr><td class=\"kpi\">(.*?)</td>(.*?)</tr>", html)
    assert len(rows) == comparison.summary["kpi"].nunique()
    travel = next(cells for head, cells in rows if head.startswith("Travel per unit"))
    cells = re.findall(r"<td([^>]*)>", travel)
    best = [i for i, attrs in enumerate(cells) if 'class="best"' in attrs]
    assert best == [comparison.strategies.index("sort_zone")]
    assert "±" in travel and "95 % CI" in travel


def test_escapes_the_description(comparison_factory: Callable[..., Comparison]) -> None:
    evil = comparison_factory(replications=1, description='<script>alert("x")</script> & "quotes"')
    html = render_html(evil, figures=False)
    assert "<script" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&amp; &#34;quotes&#34;" in html
    assert not [t for t, _ in parse(html) if t == "img"]
    assert "no confidence" in html  # the footer explains a single replication


def test_size_is_reasonable(html: str) -> None:
    assert 100_000 < len(html.encode("utf-8")) < 3_000_000


def test_write_html(comparison: Comparison, tmp_path: Path) -> None:
    path = tmp_path / "reports" / "demo.html"
    write_html(comparison, path, figures=False)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text == render_html(comparison, figures=False)


def test_graph_layout_report(graph_comparison: Comparison) -> None:
    """The table part on a graph layout (its figures are checked in test_plots.py)."""
    html = render_html(graph_comparison, figures=False)
    assert "graph-mezzanine (graph, 36 storage locations)" in html
    assert "±" not in html  # one replication: no intervals
