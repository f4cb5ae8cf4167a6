"""Simulation of picking strategies: the work a strategy plans, the event engine and the KPIs.

A strategy turns a replication's orders into a :class:`Work`; :func:`simulate` plays it on the
staff (:class:`SimResources`) and returns :class:`SimRecords`; :func:`kpis` condenses those into
the numbers of :data:`KPI_NAMES` (labels, units and direction in :data:`KPI_INFO`)::

    records = simulate(work, resources)
    table_row = kpis(work, records, resources)
"""

from wms.sim.engine import SimRecords as SimRecords
from wms.sim.engine import simulate as simulate
from wms.sim.kpis import KPI_INFO as KPI_INFO
from wms.sim.kpis import KPI_NAMES as KPI_NAMES
from wms.sim.kpis import kpis as kpis
from wms.sim.work import SimResources as SimResources
from wms.sim.work import Work as Work

__all__ = [
    "KPI_INFO",
    "KPI_NAMES",
    "SimRecords",
    "SimResources",
    "Work",
    "kpis",
    "simulate",
]
