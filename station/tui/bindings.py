"""Key hints in the current language: binding descriptions are i18n keys."""
from __future__ import annotations

from dataclasses import replace

from textual.binding import BindingsMap
from textual.dom import DOMNode

from .i18n import t

__all__ = ["localize_bindings"]


def localize_bindings(node: DOMNode) -> None:
    """Replace each binding's description (an i18n key) by its text; call in ``__init__``."""
    keys = {key: [replace(b, description=t(b.description)) if b.description else b for b in bindings]
            for key, bindings in node._bindings.key_to_bindings.items()}  # noqa: SLF001
    node._bindings = BindingsMap.from_keys(keys)  # noqa: SLF001 - Textual has no public setter
