"""The city hall: sync hub, citizens' tracking pages and metrics on one ASGI app."""
from __future__ import annotations

__all__ = ["create_app", "HubSettings"]


def __getattr__(name: str):  # noqa: ANN202 - lazy: `cityhall enroll` need not load FastAPI
    if name in __all__:
        from . import app
        return getattr(app, name)
    raise AttributeError(name)
