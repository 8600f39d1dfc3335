"""A package whose names load their own module on first use (PEP 562's module ``__getattr__``).

``forms`` and ``station.ledger`` export many names from several modules; a command that
needs a check digit or a status label should not pay for the catalogue, the fold or msgspec.
Each package lists which module holds which name and takes its ``__getattr__`` from here.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, namespace: dict[str, Any], modules: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """The ``__getattr__`` of ``package`` (whose globals are ``namespace``): ``name`` from the module
    ``modules`` lists it under, imported once and then kept in the package's globals."""
    home = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> object:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__
