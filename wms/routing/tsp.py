"""Placeholder: being written."""

from wms.routing.base import RoutingMethod

METHODS: tuple[RoutingMethod, ...] = ()
