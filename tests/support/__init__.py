"""Helpers shared by test folders: a throttling TCP proxy, city hall processes, station homes."""
