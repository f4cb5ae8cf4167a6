"""`wms`: warehouse picking optimizer — layouts, picker routing, order batching, pick-list planning.

The public Python API (pick-list planning: :func:`plan_picklists`; batching: :func:`batch`)::

    import wms
    layout = wms.load_layout("layouts/henn-10x45.yaml")
    problem = wms.RoutingProblem.from_ids(layout, ["A03-B0-P12-L", "A07-B0-P40-R"])
    route = wms.route(problem, method="optimal")      # stops in walking order, length in metres
    lengths = wms.route_many(layout, [[0, 5, 9], [12, 400]], method="s_shape")

Comparing the picking strategies on a scenario (:func:`compare`)::

    result = wms.compare("scenarios/demo.yaml")       # all strategies, same orders, replications
    result.kpi_table()                                 # DataFrame: KPIs x strategies (means)
    result.recommendation.best, result.recommendation.reasons
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wms._lazy import lazy_getattr

if TYPE_CHECKING:
    from wms.batching import METHODS as BATCHING_METHODS
    from wms.batching import batch as batch
    from wms.batching.base import Batching as Batching
    from wms.batching.base import BatchingParams as BatchingParams
    from wms.batching.base import BatchingProblem as BatchingProblem
    from wms.errors import InfeasibleError as InfeasibleError
    from wms.errors import InstanceError as InstanceError
    from wms.errors import LayoutError as LayoutError
    from wms.errors import RoutingError as RoutingError
    from wms.errors import WmsError as WmsError
    from wms.io.orders import read_orders as read_orders
    from wms.io.orders import read_plan_config as read_plan_config
    from wms.io.orders import read_skus as read_skus
    from wms.layout import BlockSpec as BlockSpec
    from wms.layout import GraphLayout as GraphLayout
    from wms.layout import RectangularLayout as RectangularLayout
    from wms.layout import build_rectangular as build_rectangular
    from wms.layout.schema import load_layout as load_layout
    from wms.model import Device as Device
    from wms.model import Order as Order
    from wms.model import OrderLine as OrderLine
    from wms.model import PickList as PickList
    from wms.model import PickStop as PickStop
    from wms.model import Plan as Plan
    from wms.model import Point as Point
    from wms.model import Route as Route
    from wms.model import Sku as Sku
    from wms.model import Stop as Stop
    from wms.model import TimeStandards as TimeStandards
    from wms.model import Wave as Wave
    from wms.planning import plan_picklists as plan_picklists
    from wms.routing import METHODS as ROUTING_METHODS
    from wms.routing import PickLists as PickLists
    from wms.routing import RoutingProblem as RoutingProblem
    from wms.routing import route as route
    from wms.routing import route_all as route_all
    from wms.routing import route_many as route_many
    from wms.scenario.compare import compare as compare
    from wms.scenario.result import Comparison as Comparison
    from wms.scenario.schema import Scenario as Scenario
    from wms.scenario.schema import load_scenario as load_scenario
    from wms.waves.config import PlanConfig as PlanConfig

#: Public name -> (module, attribute). Imported on first use (PEP 562), so that ``import wms``
#: and the ``wms`` command start fast: a command that only needs the store does not load the
#: routing kernels, SciPy or the simulation.
_LAZY: dict[str, tuple[str, str]] = {
    "BATCHING_METHODS": ("wms.batching", "METHODS"),
    "batch": ("wms.batching", "batch"),
    "Batching": ("wms.batching.base", "Batching"),
    "BatchingParams": ("wms.batching.base", "BatchingParams"),
    "BatchingProblem": ("wms.batching.base", "BatchingProblem"),
    "InfeasibleError": ("wms.errors", "InfeasibleError"),
    "InstanceError": ("wms.errors", "InstanceError"),
    "LayoutError": ("wms.errors", "LayoutError"),
    "RoutingError": ("wms.errors", "RoutingError"),
    "WmsError": ("wms.errors", "WmsError"),
    "read_orders": ("wms.io.orders", "read_orders"),
    "read_plan_config": ("wms.io.orders", "read_plan_config"),
    "read_skus": ("wms.io.orders", "read_skus"),
    "BlockSpec": ("wms.layout", "BlockSpec"),
    "GraphLayout": ("wms.layout", "GraphLayout"),
    "RectangularLayout": ("wms.layout", "RectangularLayout"),
    "build_rectangular": ("wms.layout", "build_rectangular"),
    "load_layout": ("wms.layout.schema", "load_layout"),
    "Device": ("wms.model", "Device"),
    "Order": ("wms.model", "Order"),
    "OrderLine": ("wms.model", "OrderLine"),
    "PickList": ("wms.model", "PickList"),
    "PickStop": ("wms.model", "PickStop"),
    "Plan": ("wms.model", "Plan"),
    "Point": ("wms.model", "Point"),
    "Route": ("wms.model", "Route"),
    "Sku": ("wms.model", "Sku"),
    "Stop": ("wms.model", "Stop"),
    "TimeStandards": ("wms.model", "TimeStandards"),
    "Wave": ("wms.model", "Wave"),
    "plan_picklists": ("wms.planning", "plan_picklists"),
    "ROUTING_METHODS": ("wms.routing", "METHODS"),
    "PickLists": ("wms.routing", "PickLists"),
    "RoutingProblem": ("wms.routing", "RoutingProblem"),
    "route": ("wms.routing", "route"),
    "route_all": ("wms.routing", "route_all"),
    "route_many": ("wms.routing", "route_many"),
    "compare": ("wms.scenario.compare", "compare"),
    "Comparison": ("wms.scenario.result", "Comparison"),
    "Scenario": ("wms.scenario.schema", "Scenario"),
    "load_scenario": ("wms.scenario.schema", "load_scenario"),
    "PlanConfig": ("wms.waves.config", "PlanConfig"),
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "BATCHING_METHODS",
    "ROUTING_METHODS",
    "Batching",
    "BatchingParams",
    "BatchingProblem",
    "BlockSpec",
    "Comparison",
    "Device",
    "GraphLayout",
    "InfeasibleError",
    "InstanceError",
    "LayoutError",
    "Order",
    "OrderLine",
    "PickList",
    "PickLists",
    "PickStop",
    "Plan",
    "PlanConfig",
    "Point",
    "RectangularLayout",
    "Route",
    "RoutingError",
    "RoutingProblem",
    "Scenario",
    "Sku",
    "Stop",
    "TimeStandards",
    "Wave",
    "WmsError",
    "__version__",
    "batch",
    "build_rectangular",
    "compare",
    "load_layout",
    "load_scenario",
    "plan_picklists",
    "read_orders",
    "read_plan_config",
    "read_skus",
    "route",
    "route_all",
    "route_many",
]
