"""Readers for the files `wms` accepts: SPRP and Henn benchmark instances, pick-list files.

Every reader validates its input at the edge and returns domain objects (layouts, location
indices); a malformed file raises a :class:`~wms.errors.WmsError` naming the file and the line.
"""

from wms.io.henn import HennInstance as HennInstance
from wms.io.henn import HennSetting as HennSetting
from wms.io.henn import henn_layout as henn_layout
from wms.io.henn import read_henn_orders as read_henn_orders
from wms.io.henn import read_henn_setting as read_henn_setting
from wms.io.picks import PicksFileError as PicksFileError
from wms.io.picks import read_pick_lists as read_pick_lists
from wms.io.sprp import SprpInstance as SprpInstance
from wms.io.sprp import read_sprp as read_sprp
