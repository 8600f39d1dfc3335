"""Screens of the station app, one per module."""
