"""Waves and pick-list splitting: which orders are released together, and how they become lists.

* :mod:`wms.waves.config`: :class:`PlanConfig` and its parts (devices, split and release rules).
* :mod:`wms.waves.release`: wave release by cutoff / carrier / priority, on demand or on a schedule.
* :mod:`wms.waves.split`: order parts by zone and handling class, list limits, grouping by batching.
* :mod:`wms.waves.totes`: pick-and-sort cart totes, one order per tote.

The entry point that ties them together is :func:`wms.planning.plan_picklists`.
"""

from wms.waves.config import BatchingConfig as BatchingConfig
from wms.waves.config import CartRules as CartRules
from wms.waves.config import DeviceConfig as DeviceConfig
from wms.waves.config import DevicesConfig as DevicesConfig
from wms.waves.config import PlanConfig as PlanConfig
from wms.waves.config import ReleaseRules as ReleaseRules
from wms.waves.config import SinglesRules as SinglesRules
from wms.waves.config import SplitRules as SplitRules
from wms.waves.config import TimeStandardsConfig as TimeStandardsConfig
from wms.waves.release import WaveRelease as WaveRelease
from wms.waves.release import release_waves as release_waves
from wms.waves.split import Limits as Limits
from wms.waves.totes import pack_totes as pack_totes
