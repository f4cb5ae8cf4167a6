"""Scenarios: what a planner compares strategies on (layout, catalogue, orders, resources, ...).

:func:`load_scenario` reads a scenario YAML file (:mod:`wms.scenario.schema`) into a
:class:`Scenario`; :mod:`wms.scenario.generate` draws catalogues and orders from seeded generators;
:func:`wms.scenario.compare.compare` compares the strategies of one scenario and
:func:`run_sweep` (:mod:`wms.scenario.sweep`) many variants of it.
"""

from wms.scenario.generate import CarrierParams as CarrierParams
from wms.scenario.generate import CatalogParams as CatalogParams
from wms.scenario.generate import OrderParams as OrderParams
from wms.scenario.generate import generate_catalog as generate_catalog
from wms.scenario.generate import generate_order_arrivals as generate_order_arrivals
from wms.scenario.generate import generate_orders as generate_orders
from wms.scenario.schema import Scenario as Scenario
from wms.scenario.schema import load_scenario as load_scenario
from wms.scenario.schema import scenario_json_schema as scenario_json_schema
from wms.scenario.sweep import load_sweep as load_sweep
from wms.scenario.sweep import run_sweep as run_sweep
