"""Readers for the files `wms` accepts: SPRP and Henn benchmark instances, pick-list files.

Every reader validates its input at the edge and returns domain objects (layouts, location
indices); a malformed file raises a :class:`~wms.errors.WmsError` naming the file and the line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wms._lazy import lazy_getattr

if TYPE_CHECKING:
    from wms.io.henn import HennInstance as HennInstance
    from wms.io.henn import HennSetting as HennSetting
    from wms.io.henn import henn_layout as henn_layout
    from wms.io.henn import read_henn_orders as read_henn_orders
    from wms.io.henn import read_henn_setting as read_henn_setting
    from wms.io.picks import PicksFileError as PicksFileError
    from wms.io.picks import read_pick_lists as read_pick_lists
    from wms.io.sprp import SprpInstance as SprpInstance
    from wms.io.sprp import read_sprp as read_sprp

#: Public name -> (module, attribute), imported on first use (PEP 562): a command that reads
#: only order files does not load the layout and routing code the benchmark readers need.
_LAZY: dict[str, tuple[str, str]] = {
    "HennInstance": ("wms.io.henn", "HennInstance"),
    "HennSetting": ("wms.io.henn", "HennSetting"),
    "henn_layout": ("wms.io.henn", "henn_layout"),
    "read_henn_orders": ("wms.io.henn", "read_henn_orders"),
    "read_henn_setting": ("wms.io.henn", "read_henn_setting"),
    "PicksFileError": ("wms.io.picks", "PicksFileError"),
    "read_pick_lists": ("wms.io.picks", "read_pick_lists"),
    "SprpInstance": ("wms.io.sprp", "SprpInstance"),
    "read_sprp": ("wms.io.sprp", "read_sprp"),
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
