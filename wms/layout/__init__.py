"""Warehouse layouts: geometry, storage locations, named points, shortest-path distances.

Two kinds share one interface (``name``, ``kind``, ``locations``, ``depot``, ``end``,
``distance_matrix``, ``stop_matrix``, ``stops_for_sequence``): :class:`RectangularLayout` (parallel
aisles, one or more blocks, closed-form distances) and :class:`GraphLayout` (any networkx graph).
"""

from wms.layout.graph import GraphLayout as GraphLayout
from wms.layout.locations import LocationTable as LocationTable
from wms.layout.rectangular import BlockSpec as BlockSpec
from wms.layout.rectangular import NetPoint as NetPoint
from wms.layout.rectangular import RectangularLayout as RectangularLayout
from wms.layout.rectangular import Zone as Zone
from wms.layout.rectangular import ZoneRule as ZoneRule
from wms.layout.rectangular import build_rectangular as build_rectangular

Layout = RectangularLayout | GraphLayout
