"""Picking strategies: single-unit, sort zone, pick-and-sort cart, sort at pack, and their mix.

Each turns one replication's orders into the work of a day for the simulation (:mod:`wms.sim`),
with one call signature: ``get_strategy(name, params).plan(stream, context, label) -> Work``.
"""

from wms.strategies.base import OrderStream as OrderStream
from wms.strategies.base import Strategy as Strategy
from wms.strategies.base import StrategyContext as StrategyContext
from wms.strategies.base import release_times as release_times
from wms.strategies.lanes import LANES as LANES
from wms.strategies.lanes import LaneSpec as LaneSpec
from wms.strategies.rules import STRATEGIES as STRATEGIES
from wms.strategies.rules import get_strategy as get_strategy
from wms.strategies.settings import SimSettings as SimSettings
