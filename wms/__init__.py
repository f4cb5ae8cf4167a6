"""`wms`: warehouse picking optimizer — layouts, picker routing, order batching, pick-list planning.

The public Python API::

    import wms
    layout = wms.load_layout("layouts/henn-10x45.yaml")
    problem = wms.RoutingProblem.from_ids(layout, ["A03-B0-P12-L", "A07-B0-P40-R"])
    route = wms.route(problem, method="optimal")      # stops in walking order, length in metres
    lengths = wms.route_many(layout, [[0, 5, 9], [12, 400]], method="s_shape")
"""

from wms.errors import InfeasibleError as InfeasibleError
from wms.errors import InstanceError as InstanceError
from wms.errors import LayoutError as LayoutError
from wms.errors import RoutingError as RoutingError
from wms.errors import WmsError as WmsError
from wms.layout import BlockSpec as BlockSpec
from wms.layout import GraphLayout as GraphLayout
from wms.layout import RectangularLayout as RectangularLayout
from wms.layout import build_rectangular as build_rectangular
from wms.layout.schema import load_layout as load_layout
from wms.model import Point as Point
from wms.model import Route as Route
from wms.model import Stop as Stop
from wms.routing import METHODS as ROUTING_METHODS
from wms.routing import PickLists as PickLists
from wms.routing import RoutingProblem as RoutingProblem
from wms.routing import route as route
from wms.routing import route_all as route_all
from wms.routing import route_many as route_many

__version__ = "0.1.0"

__all__ = [
    "ROUTING_METHODS",
    "BlockSpec",
    "GraphLayout",
    "InfeasibleError",
    "InstanceError",
    "LayoutError",
    "PickLists",
    "Point",
    "RectangularLayout",
    "Route",
    "RoutingError",
    "RoutingProblem",
    "Stop",
    "WmsError",
    "__version__",
    "build_rectangular",
    "load_layout",
    "route",
    "route_all",
    "route_many",
]
