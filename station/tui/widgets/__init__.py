"""Widgets of the station app, one per module."""
