"""Alembic revision scripts of the wms database (a package so that it ships in the wheel)."""
