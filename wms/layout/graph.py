"""General graph layouts: warehouses that are not rectangular.

A :class:`GraphLayout` is a walking network given as a networkx graph (obstacles, odd-shaped halls,
one-way or blocked aisles). Nodes carry coordinates ``x`` and ``y`` in metres; edges carry a length
(default: the Euclidean length between their ends). Storage locations and named points (depot, pack
stations, sort zone) sit on nodes.

Shortest paths are computed by :func:`scipy.sparse.csgraph.dijkstra` over a CSR matrix, only from
the nodes a request needs, and the distance/predecessor rows are kept in a bounded LRU cache:
routing many pick lists on the same layout touches each node's row once. networkx is used for input
only.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from wms.errors import LayoutError
from wms.layout.locations import LocationTable, make_table
from wms.layout.rectangular import Zone
from wms.model import Route, Stop

if TYPE_CHECKING:
    from wms.layout.rectangular import RectangularLayout

#: Memory the shortest-path row cache of one layout may use (distance + predecessor rows).
CACHE_BYTES = 128 * 2**20
#: Sources per scipy call when a large matrix is computed without the cache (bounds peak memory).
_CHUNK_BYTES = 64 * 2**20


def _show(items: Sequence[object], limit: int = 5) -> str:
    """``'a', 'b', 'c'`` (and N more)."""
    shown = ", ".join(repr(x) for x in items[:limit])
    return shown if len(items) <= limit else f"{shown} (and {len(items) - limit} more)"


@dataclass(frozen=True, eq=False)
class GraphLayout:
    """A warehouse whose walking network is an arbitrary (possibly directed) graph.

    Build it with :meth:`from_networkx` or :meth:`from_rectangular`, not directly.

    Attributes
    ----------
    name
        Layout name.
    graph
        The input graph (a copy), blocked edges included, for planners who derive variants.
    locations
        Storage locations; ``x_m``/``y_m`` are the coordinates of their access node and ``node`` its
        index in :attr:`node_ids`; ``aisle`` and ``block`` are ``-1``.
    points
        Point name -> node id (as in :attr:`graph`).
    depot, end
        Names of the default start point and end point (``end=None``: back to the depot).
    pack_stations, sort_zone
        Names of pack-station points and of the sort-zone point.
    zones
        Zones the locations belong to (``locations.zone`` indexes this tuple).
    node_ids
        Graph node ids in internal index order.
    node_x_m, node_y_m
        Node coordinates in internal index order.
    node_labels
        Unique printable node names (``str(node)``, disambiguated), used as waypoint stop ids.
    directed
        True when the input graph was a ``DiGraph`` (one-way edges are possible).
    weight
        Name of the edge attribute holding lengths in :attr:`graph`.
    """

    name: str
    graph: nx.Graph
    locations: LocationTable
    points: Mapping[str, Hashable]
    depot: str
    end: str | None
    pack_stations: tuple[str, ...]
    sort_zone: str | None
    zones: tuple[Zone, ...]
    node_ids: tuple[Hashable, ...]
    node_x_m: NDArray[np.float64]
    node_y_m: NDArray[np.float64]
    node_labels: tuple[str, ...]
    directed: bool
    weight: str
    _csr: sp.csr_matrix = field(repr=False)
    _node_index: dict[Hashable, int] = field(repr=False)
    _point_node: dict[str, int] = field(repr=False)
    _label_index: dict[str, int] = field(repr=False)
    kind: Literal["graph"] = field(default="graph", init=False)
    _cache: OrderedDict[int, tuple[NDArray[np.float64], NDArray[np.int32]]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def from_networkx(
        cls,
        name: str,
        graph: nx.Graph | nx.DiGraph,
        *,
        locations: Mapping[str, Hashable],
        points: Mapping[str, Hashable],
        depot: str = "depot",
        end: str | None = None,
        weight: str = "length",
        zones: Mapping[str, str] | None = None,
        pack_stations: Sequence[str] = (),
        sort_zone: str | None = None,
    ) -> GraphLayout:
        """Build a layout from a networkx graph.

        Parameters
        ----------
        name
            Layout name (used in error messages).
        graph
            The walking network. Every node needs numeric attributes ``x`` and ``y`` (metres). An
            edge's length is its ``weight`` attribute, or the Euclidean distance between its ends
            when absent; an edge with ``blocked=True`` is left out. A ``DiGraph`` makes every edge
            one-way (add both directions for two-way aisles); a ``Graph`` is walked both ways.
            Parallel edges of multigraphs keep the shortest one.
        locations
            Storage location id -> node of its access point.
        points
            Point name -> node (depot, end points, pack stations, sort zone).
        depot, end
            Default start point and end point (``None``: back to the depot).
        weight
            Name of the edge attribute holding the length in metres.
        zones
            Location id -> zone name, for the locations that belong to a zone.
        pack_stations, sort_zone
            Names of points that are pack stations / the sort zone.

        Returns
        -------
        GraphLayout
            The layout, checked: every location and point can reach every other one.

        Raises
        ------
        LayoutError
            For unknown nodes, missing or non-finite coordinates, negative or non-numeric lengths,
            undefined point names, unknown location ids in ``zones``, and for locations or points
            that cannot be reached from the depot (or cannot get back to it).
        """
        if not isinstance(graph, nx.Graph):
            raise LayoutError(
                f"layout {name!r}: expected a networkx Graph or DiGraph, got {type(graph).__name__}"
            )
        node_ids = tuple(graph.nodes)
        if not node_ids:
            raise LayoutError(f"layout {name!r}: the graph has no nodes")
        node_index = {n: i for i, n in enumerate(node_ids)}
        xs, ys = _coordinates(name, graph, node_ids)
        directed = graph.is_directed()
        csr = _edge_matrix(name, graph, node_index, xs, ys, weight, directed)

        # storage locations
        loc_ids = list(locations)
        loc_nodes = np.empty(len(loc_ids), dtype=np.int64)
        for i, loc_id in enumerate(loc_ids):
            node = locations[loc_id]
            if node not in node_index:
                raise LayoutError(
                    f"layout {name!r}: location {loc_id!r} is at node {node!r}, "
                    "which is not in the graph"
                )
            loc_nodes[i] = node_index[node]
        zone_map = dict(zones or {})
        unknown = [loc for loc in zone_map if loc not in locations]
        if unknown:
            raise LayoutError(
                f"layout {name!r}: zones name location(s) that do not exist: {_show(unknown)}"
            )
        zone_names = tuple(dict.fromkeys(zone_map.values()))
        zone_pos = {z: k for k, z in enumerate(zone_names)}
        table = make_table(
            loc_ids, xs[loc_nodes], ys[loc_nodes],
            zone=[zone_pos[zone_map[loc]] if loc in zone_map else -1 for loc in loc_ids],
            zone_names=zone_names, node=loc_nodes,
        )  # fmt: skip

        # points
        point_node: dict[str, int] = {}
        for pname, node in points.items():
            if node not in node_index:
                raise LayoutError(
                    f"layout {name!r}: point {pname!r} is at node {node!r}, "
                    "which is not in the graph"
                )
            point_node[pname] = node_index[node]
        roles: list[tuple[str, str | None]] = [
            ("depot", depot),
            ("end", end),
            ("sort_zone", sort_zone),
        ]
        roles += [("pack_stations", p) for p in pack_stations]
        for role, named in roles:
            if named is not None and named not in point_node:
                raise LayoutError(
                    f"layout {name!r}: {role} names point {named!r}, which is not defined; "
                    f"defined points: {', '.join(sorted(point_node)) or '(none)'}"
                )

        _check_connected(name, csr, node_ids, depot, point_node, loc_ids, loc_nodes)

        labels = _unique_labels(node_ids)
        return cls(
            name=name,
            graph=graph.copy(),
            locations=table,
            points=dict(points),
            depot=depot,
            end=end,
            pack_stations=tuple(pack_stations),
            sort_zone=sort_zone,
            zones=tuple(Zone(z) for z in zone_names),
            node_ids=node_ids,
            node_x_m=xs,
            node_y_m=ys,
            node_labels=labels,
            directed=directed,
            weight=weight,
            _csr=csr,
            _node_index=node_index,
            _point_node=point_node,
            _label_index={lab: i for i, lab in enumerate(labels)},
        )

    @classmethod
    def from_rectangular(cls, layout: RectangularLayout) -> GraphLayout:
        """The explicit aisle graph of a rectangular layout (same location ids and points).

        Nodes are the aisle/cross-aisle corners (``"A03/X1"``: aisle 3 at cross aisle 1), one access
        node per distinct position along each aisle (``"A03/y12.5"``, shared by both sides and
        all levels), the points on cross aisles between aisles (``"X0/x7.5"``) and, for points with
        an access offset, a spur node ``"P/<name>"`` joined by an edge of that length. Aisle edges
        carry ``kind="aisle"``, ``aisle`` and ``block``; cross-aisle edges ``kind="cross"`` and
        ``cross_aisle``: planners select edges by these attributes to block them (see
        :meth:`with_blocked`). Shortest-path distances equal the closed-form ones, except that the
        closed form charges a point's spur out and back even from the point to itself.
        """
        g = nx.Graph()
        ax, cy = layout.aisle_x_m, layout.cross_y_m
        loc = layout.locations

        def add(node: str, x: float, y: float) -> str:
            if node not in g:
                g.add_node(node, x=float(x), y=float(y))
            return node

        def aisle_node(a: int, y: float) -> str:
            rows = np.flatnonzero(np.abs(cy - y) <= 1e-9)
            if rows.size:
                return add(f"A{a:02d}/X{int(rows[0])}", ax[a], cy[rows[0]])
            return add(f"A{a:02d}/y{y:.10g}", ax[a], y)

        # points first: they may add nodes on cross aisles between aisles
        point_nodes: dict[str, str] = {}
        cross_extra: dict[int, set[float]] = {r: set() for r in range(cy.size)}
        for pname, p in layout.points.items():
            a = layout.aisle_at(p.x_m)
            y = float(cy[p.cross_aisle])
            if a >= 0:
                base = aisle_node(a, y)
            else:
                base = add(f"X{p.cross_aisle}/x{p.x_m:.10g}", p.x_m, y)
                cross_extra[p.cross_aisle].add(float(p.x_m))
            if p.offset_m > 0:
                side = 1.0 if p.cross_aisle == cy.size - 1 and cy.size > 1 else -1.0
                spur = add(f"P/{pname}", p.x_m, y + side * p.offset_m)
                g.add_edge(base, spur, length=float(p.offset_m), kind="spur")
                point_nodes[pname] = spur
            else:
                point_nodes[pname] = base

        loc_nodes: dict[str, str] = {}
        for a in range(ax.size):
            in_aisle = loc.aisle == a
            ys_here = {float(y) for y in loc.y_m[in_aisle]} | {float(y) for y in cy}
            ordered = sorted(ys_here)
            for y0, y1 in itertools.pairwise(ordered):
                block = int(np.searchsorted(cy, 0.5 * (y0 + y1)) - 1)
                g.add_edge(
                    aisle_node(a, y0), aisle_node(a, y1), length=y1 - y0, kind="aisle",
                    aisle=a, block=block,
                )  # fmt: skip
            for i in np.flatnonzero(in_aisle):
                loc_nodes[loc.ids[i]] = aisle_node(a, float(loc.y_m[i]))
        for r in range(cy.size):
            xs_here = sorted({float(x) for x in ax} | cross_extra[r])
            y = float(cy[r])
            for x0, x1 in itertools.pairwise(xs_here):
                a0, a1 = layout.aisle_at(x0), layout.aisle_at(x1)
                u = aisle_node(a0, y) if a0 >= 0 else f"X{r}/x{x0:.10g}"
                v = aisle_node(a1, y) if a1 >= 0 else f"X{r}/x{x1:.10g}"
                g.add_edge(u, v, length=x1 - x0, kind="cross", cross_aisle=r)

        zones = {loc.ids[i]: name for i in range(len(loc)) if (name := loc.zone_of(i)) is not None}
        return cls.from_networkx(
            layout.name, g, locations=loc_nodes, points=point_nodes, depot=layout.depot,
            end=layout.end, weight="length", zones=zones, pack_stations=layout.pack_stations,
            sort_zone=layout.sort_zone,
        )  # fmt: skip

    def with_blocked(self, edges: Iterable[tuple[Hashable, Hashable]]) -> GraphLayout:
        """A copy of this layout with the given edges blocked (both directions if undirected).

        Raises :class:`LayoutError` if an edge does not exist or if blocking it cuts a location or
        point off.
        """
        g = self.graph.copy()
        for u, v in edges:
            if not g.has_edge(u, v):
                raise LayoutError(
                    f"layout {self.name!r}: cannot block edge ({u!r}, {v!r}): no such edge"
                )
            if g.is_multigraph():
                for key in g[u][v]:
                    g[u][v][key]["blocked"] = True
            else:
                g[u][v]["blocked"] = True
        loc = self.locations
        return GraphLayout.from_networkx(
            self.name, g, locations=self.location_nodes(), points=self.points, depot=self.depot,
            end=self.end, weight=self.weight,
            zones={loc.ids[i]: z for i in range(len(loc)) if (z := loc.zone_of(i)) is not None},
            pack_stations=self.pack_stations, sort_zone=self.sort_zone,
        )  # fmt: skip

    def __getstate__(self) -> dict[str, Any]:
        # pickling (process pools) leaves the lock and the row cache behind
        state = self.__dict__.copy()
        state["_cache"] = OrderedDict()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__["_lock"] = threading.Lock()

    # -- names -----------------------------------------------------------------------------------
    def location_nodes(self) -> dict[str, Hashable]:
        """Location id -> graph node id (the ``locations`` argument of :meth:`from_networkx`)."""
        loc = self.locations
        return {loc.ids[i]: self.node_ids[int(n)] for i, n in enumerate(loc.node)}

    @property
    def n_nodes(self) -> int:
        """Number of graph nodes."""
        return len(self.node_ids)

    def point(self, name: str) -> Hashable:
        """The node of the named point; raises :class:`LayoutError` listing the defined names."""
        try:
            return self.points[name]
        except KeyError:
            raise LayoutError(
                f"layout {self.name!r} has no point {name!r}; defined points: "
                f"{', '.join(sorted(self.points))}"
            ) from None

    def point_node(self, name: str) -> int:
        """Internal node index of the named point (see :meth:`point`)."""
        self.point(name)
        return self._point_node[name]

    def node_index(self, node: Hashable) -> int:
        """Internal index of graph node ``node``; :class:`LayoutError` if it is not in the graph."""
        try:
            return self._node_index[node]
        except KeyError:
            raise LayoutError(f"layout {self.name!r} has no node {node!r}") from None

    # -- shortest paths --------------------------------------------------------------------------
    def _capacity(self) -> int:
        return max(64, CACHE_BYTES // (12 * max(1, self.n_nodes)))

    def _rows(
        self, sources: NDArray[np.int64]
    ) -> tuple[list[NDArray[np.float64]], list[NDArray[np.int32]]]:
        """Distance and predecessor rows from each source node (cached)."""
        with self._lock:
            missing = np.array(
                sorted({int(s) for s in sources if int(s) not in self._cache}), dtype=np.int64
            )
            if missing.size:
                dist, pred = dijkstra(
                    self._csr, directed=True, indices=missing, return_predecessors=True
                )
                for k, s in enumerate(missing):
                    self._cache[int(s)] = (dist[k], pred[k])
            dists, preds = [], []
            for s in sources:
                d, p = self._cache[int(s)]
                self._cache.move_to_end(int(s))
                dists.append(d)
                preds.append(p)
            while len(self._cache) > self._capacity():
                self._cache.popitem(last=False)
        return dists, preds

    def clear_cache(self) -> None:
        """Forget the cached shortest-path rows."""
        with self._lock:
            self._cache.clear()

    def node_matrix(
        self, sources: NDArray[np.int64], targets: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """Shortest-path distances from node indices ``sources`` to node indices ``targets``.

        Raises :class:`LayoutError` for an index outside ``0..n_nodes-1`` or a pair of nodes with no
        path between them (possible only for nodes that hold no location or point).
        """
        sources = np.asarray(sources, dtype=np.int64).reshape(-1)
        targets = np.asarray(targets, dtype=np.int64).reshape(-1)
        for arr in (sources, targets):
            if arr.size and (arr.min() < 0 or arr.max() >= self.n_nodes):
                raise LayoutError(
                    f"layout {self.name!r}: node index out of range 0..{self.n_nodes - 1}"
                )
        uniq, inv = np.unique(sources, return_inverse=True)
        out = np.empty((sources.size, targets.size), dtype=np.float64)
        if uniq.size <= self._capacity() // 2:
            dists, _ = self._rows(uniq)
            rows = np.stack(dists) if dists else np.empty((0, self.n_nodes))
            out[:] = rows[:, targets][inv]
        else:
            chunk = max(1, _CHUNK_BYTES // (8 * max(1, self.n_nodes, targets.size)))
            order = np.argsort(inv, kind="stable")
            bounds = np.searchsorted(inv[order], np.arange(0, uniq.size + chunk, chunk))
            for c, lo in enumerate(range(0, uniq.size, chunk)):
                part = dijkstra(self._csr, directed=True, indices=uniq[lo : lo + chunk])
                sel = order[bounds[c] : bounds[c + 1]]
                out[sel] = part[:, targets][inv[sel] - lo]
        if np.isinf(out).any():
            i, j = np.argwhere(np.isinf(out))[0]
            raise LayoutError(
                f"layout {self.name!r}: node {self.node_ids[sources[i]]!r} cannot reach node "
                f"{self.node_ids[targets[j]]!r}"
            )
        return out

    def distance_matrix(
        self,
        rows: Sequence[int] | NDArray[np.int64] | None = None,
        cols: Sequence[int] | NDArray[np.int64] | None = None,
    ) -> NDArray[np.float64]:
        """Shortest-path distances between storage locations, ``rows × cols`` (default: all).

        Row ``i`` holds the distances *from* location ``rows[i]`` (they differ from the column
        direction when edges are one-way). One Dijkstra per distinct access node of ``rows``.
        """
        r = self._check_indices(rows, "rows")
        c = r if cols is None else self._check_indices(cols, "cols")
        node = self.locations.node
        return self.node_matrix(node[r], node[c])

    def _stop_nodes(self, picks: NDArray[np.int64], start: str, end: str) -> NDArray[np.int64]:
        p = self._check_indices(picks, "picks")
        nodes = np.empty(p.size + 2, dtype=np.int64)
        nodes[0] = self.point_node(start)
        nodes[1:-1] = self.locations.node[p]
        nodes[-1] = self.point_node(end)
        return nodes

    def stop_matrix(self, picks: NDArray[np.int64], start: str, end: str) -> NDArray[np.float64]:
        """Distances among ``[start, *picks, end]`` (size ``len(picks) + 2``), row = from."""
        nodes = self._stop_nodes(picks, start, end)
        return self.node_matrix(nodes, nodes)

    def node_path(self, source: int, target: int) -> list[int]:
        """Node indices of a shortest path from ``source`` to ``target`` (both included)."""
        _, preds = self._rows(np.array([source], dtype=np.int64))
        pred = preds[0]
        path = [int(target)]
        while path[-1] != source:
            prev = int(pred[path[-1]])
            if prev < 0:  # pragma: no cover - excluded by the connectivity check
                raise LayoutError(
                    f"layout {self.name!r}: node {self.node_ids[target]!r} cannot be reached "
                    f"from node {self.node_ids[source]!r}"
                )
            path.append(prev)
        path.reverse()
        return path

    def stops_for_sequence(
        self, picks: NDArray[np.int64], order: Sequence[int], start: str, end: str, method: str
    ) -> Route:
        """The route visiting ``picks[order[0]], picks[order[1]], ...`` by shortest paths.

        Stops are the start, the picks in order with the intermediate nodes of every shortest path
        where the walk turns as ``"waypoint"`` stops (ids from :attr:`node_labels`), and the end.
        Dropping nodes of a shortest path keeps every leg a shortest path, so ``walk_length`` holds.
        """
        picks = self._check_indices(picks, "picks")
        order_arr = np.asarray(order, dtype=np.int64)
        if order_arr.size and (order_arr.min() < 0 or order_arr.max() >= picks.size):
            raise LayoutError(f"order refers to pick positions outside 0..{picks.size - 1}")
        seq: list[tuple[int, str, str, int | None]] = [
            (self.point_node(start), "start", start, None)
        ]
        for k in order_arr:
            i = int(picks[k])
            seq.append((int(self.locations.node[i]), "pick", self.locations.ids[i], int(k)))
        seq.append((self.point_node(end), "end", end, None))
        sources = np.array([s[0] for s in seq[:-1]], dtype=np.int64)
        dists, preds = self._rows(sources) if sources.size else ([], [])
        xs, ys = self.node_x_m, self.node_y_m
        stops = [Stop("start", start, float(xs[seq[0][0]]), float(ys[seq[0][0]]))]
        length = 0.0
        for leg, (node, kind, ident, pick) in enumerate(seq[1:]):
            src = seq[leg][0]
            length += float(dists[leg][node])
            pred = preds[leg]
            inner: list[int] = []
            cur = int(pred[node]) if node != src else src
            while cur != src:
                inner.append(cur)
                cur = int(pred[cur])
            path = [src, *reversed(inner), node]
            for a, w, b in zip(path, path[1:], path[2:], strict=False):
                if _turns(xs, ys, a, w, b):  # list only the nodes where the picker turns
                    stops.append(Stop("waypoint", self.node_labels[w], float(xs[w]), float(ys[w])))
            stops.append(Stop(kind, ident, float(xs[node]), float(ys[node]), pick))  # type: ignore[arg-type]
        return Route(method=method, length_m=length, stops=tuple(stops))

    def _node_of_stop(self, stop: Stop) -> int:
        if stop.kind in ("start", "end"):
            return self.point_node(stop.location_id)
        if stop.kind == "pick":
            return int(self.locations.node[self.locations.index(stop.location_id)])
        try:
            return self._label_index[stop.location_id]
        except KeyError:
            raise LayoutError(
                f"layout {self.name!r}: waypoint {stop.location_id!r} is not a node label"
            ) from None

    def walk_length(self, route: Route) -> float:
        """Sum of the shortest-path distances between consecutive stops of ``route``.

        For a valid route (every leg a shortest path) it equals ``route.length_m``.
        """
        if len(route.stops) < 2:
            return 0.0
        nodes = np.array([self._node_of_stop(s) for s in route.stops], dtype=np.int64)
        dists, _ = self._rows(nodes[:-1])
        return float(sum(d[t] for d, t in zip(dists, nodes[1:], strict=True)))

    def _check_indices(
        self, idx: Sequence[int] | NDArray[np.int64] | None, what: str
    ) -> NDArray[np.int64]:
        n = len(self.locations)
        if idx is None:
            return np.arange(n, dtype=np.int64)
        arr = np.asarray(idx)
        if arr.size == 0:
            return np.empty(0, dtype=np.int64)
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise LayoutError(f"{what}: expected a 1-d array of integer location indices")
        arr = arr.astype(np.int64, copy=False)
        if arr.min() < 0 or arr.max() >= n:
            raise LayoutError(f"{what}: location index out of range 0..{n - 1}")
        return arr


# -- construction helpers ---------------------------------------------------------------------


def _coordinates(
    name: str, graph: nx.Graph, node_ids: Sequence[Hashable]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    xs = np.empty(len(node_ids), dtype=np.float64)
    ys = np.empty(len(node_ids), dtype=np.float64)
    missing: list[Hashable] = []
    for i, n in enumerate(node_ids):
        data = graph.nodes[n]
        if "x" not in data or "y" not in data:
            missing.append(n)
            continue
        try:
            xs[i] = float(data["x"])
            ys[i] = float(data["y"])
        except (TypeError, ValueError):
            raise LayoutError(
                f"layout {name!r}: node {n!r} has non-numeric coordinates "
                f"x={data['x']!r}, y={data['y']!r}"
            ) from None
        if not (math.isfinite(xs[i]) and math.isfinite(ys[i])):
            raise LayoutError(
                f"layout {name!r}: node {n!r} has non-finite coordinates ({xs[i]}, {ys[i]})"
            )
    if missing:
        raise LayoutError(
            f"layout {name!r}: every node needs numeric attributes 'x' and 'y' (metres); "
            f"{len(missing)} node(s) lack them: {_show(missing)}"
        )
    return xs, ys


def _edge_matrix(
    name: str,
    graph: nx.Graph,
    node_index: Mapping[Hashable, int],
    xs: NDArray[np.float64],
    ys: NDArray[np.float64],
    weight: str,
    directed: bool,
) -> sp.csr_matrix:
    src: list[int] = []
    dst: list[int] = []
    length: list[float] = []
    for u, v, data in graph.edges(data=True):
        if data.get("blocked", False) or u == v:
            continue
        i, j = node_index[u], node_index[v]
        w: Any = data.get(weight)
        if w is None:
            w = math.hypot(xs[i] - xs[j], ys[i] - ys[j])
        else:
            try:
                w = float(w)
            except (TypeError, ValueError):
                raise LayoutError(
                    f"layout {name!r}: edge ({u!r}, {v!r}) has non-numeric {weight!r} = {w!r}"
                ) from None
            if math.isnan(w) or w < 0 or math.isinf(w):
                raise LayoutError(
                    f"layout {name!r}: edge ({u!r}, {v!r}) has {weight!r} = {w}; lengths are "
                    "finite metres >= 0 (mark an impassable edge with blocked=True instead)"
                )
        src.append(i)
        dst.append(j)
        length.append(w)
        if not directed:
            src.append(j)
            dst.append(i)
            length.append(w)
    n = len(node_index)
    s = np.asarray(src, dtype=np.int64)
    t = np.asarray(dst, dtype=np.int64)
    w_arr = np.asarray(length, dtype=np.float64)
    if s.size:
        # keep the shortest of parallel edges; explicit zero lengths stay edges (scipy honours them)
        order = np.lexsort((w_arr, t, s))
        s, t, w_arr = s[order], t[order], w_arr[order]
        first = np.ones(s.size, dtype=bool)
        first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
        s, t, w_arr = s[first], t[first], w_arr[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
    return sp.csr_matrix((w_arr, t.astype(np.int32), indptr.astype(np.int32)), shape=(n, n))


def _check_connected(
    name: str,
    csr: sp.csr_matrix,
    node_ids: Sequence[Hashable],
    depot: str,
    point_node: Mapping[str, int],
    loc_ids: Sequence[str],
    loc_nodes: NDArray[np.int64],
) -> None:
    """Every location and point must be reachable from the depot and able to get back to it."""
    d = point_node[depot]
    n = len(node_ids)
    forward = np.zeros(n, dtype=bool)
    forward[breadth_first_order(csr, d, directed=True, return_predecessors=False)] = True
    backward = np.zeros(n, dtype=bool)
    backward[breadth_first_order(csr.T.tocsr(), d, directed=True, return_predecessors=False)] = True
    where = f"depot {depot!r} (node {node_ids[d]!r})"
    hint = "check blocked edges, one-way edges and missing connections around it"
    for ok, verb in ((forward, "cannot be reached from"), (backward, "has no way back to")):
        bad_locs = [loc_ids[int(i)] for i in np.flatnonzero(~ok[loc_nodes])]
        bad_pts = [p for p, node in point_node.items() if not ok[node]]
        if bad_pts:
            p = bad_pts[0]
            more = f" (also: {_show(bad_pts[1:])})" if len(bad_pts) > 1 else ""
            raise LayoutError(
                f"layout {name!r}: point {p!r} (node {node_ids[point_node[p]]!r}) {verb} "
                f"{where}{more}; {hint}"
            )
        if bad_locs:
            i = loc_ids.index(bad_locs[0])
            extra = len(bad_locs) - 1
            more = f" (and {extra} more location{'s' * (extra > 1)})" if extra else ""
            raise LayoutError(
                f"layout {name!r}: location {bad_locs[0]!r} (node {node_ids[int(loc_nodes[i])]!r}) "
                f"{verb} {where}{more}; {hint}"
            )


def _unique_labels(node_ids: Sequence[Hashable]) -> tuple[str, ...]:
    labels = [str(n) for n in node_ids]
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    if len(seen) == len(labels):
        return tuple(labels)
    out: list[str] = []
    taken = set(labels)
    for i, lab in enumerate(labels):
        if seen[lab] > 1:
            new = f"{lab}#{i}"
            while new in taken:
                new += "_"
            taken.add(new)
            out.append(new)
        else:
            out.append(lab)
    return tuple(out)


def _turns(xs: NDArray[np.float64], ys: NDArray[np.float64], a: int, w: int, b: int) -> bool:
    """True unless ``w`` lies on the straight segment from node ``a`` to node ``b``."""
    ux, uy = xs[w] - xs[a], ys[w] - ys[a]
    vx, vy = xs[b] - xs[w], ys[b] - ys[w]
    cross = ux * vy - uy * vx
    scale = max(abs(ux) + abs(uy), 1e-12) * max(abs(vx) + abs(vy), 1e-12)
    return bool(abs(cross) > 1e-9 * scale or ux * vx + uy * vy < 0)
