"""The app's parsed styles, kept between starts instead of parsed again at every start.

Textual parses each style sheet (the app's ``.tcss`` files, every widget's defaults) the
first time a screen needs it: about 30 ms of the app's start on a station PC, more than
any other single part of it. Textual keeps what it parsed in a table keyed by the sheet's
exact text, where it came from, its priority and its scope. At start the app fills that
table from the station's cache folder; once the first board is drawn it writes the table
back if start-up parsed a sheet the file did not hold.

A kept sheet is therefore only ever used for the very text it was parsed from: an edited
``.tcss`` file or a widget's new defaults miss the table and are parsed as always. The
parse also depends on the theme's variables and on Textual's own code, so the file as a
whole is tied to those variables and to the files of the Textual and Rich modules involved
(their size and modification time: an upgrade writes them anew). The file is read and written by
:mod:`forms.parsed_cache`: a missing, damaged or foreign file is only a miss.

This reaches into two private attributes of Textual's ``Stylesheet`` (``_parse_cache``
and ``_variables``); where a Textual version lacks them the app parses as it always did.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet

from forms.parsed_cache import keep, read_kept

__all__ = ["KeptStyles"]


class KeptStyles:
    """One app's stylesheet and the cache file of its parsed sheets."""

    def __init__(self, stylesheet: Stylesheet, cache_file: Path) -> None:
        self._stylesheet = stylesheet
        self._cache_file = cache_file
        self._textual = _textual_css_stamps()
        self._loaded: set[tuple[object, ...]] = set()

    def load(self) -> None:
        """Fill the stylesheet's table with the sheets kept for these variables and this Textual."""
        parsed, parts = self._table_and_parts()
        if parsed is None:
            return
        kept = read_kept(self._cache_file, parts)
        if not isinstance(kept, dict):
            return
        for key, rules in kept.items():
            if isinstance(key, tuple) and isinstance(rules, list):
                parsed.set(key, rules)
                self._loaded.add(key)

    def keep_new(self) -> None:
        """Write the table back when it holds a sheet the file did not (a first start, an edit)."""
        parsed, parts = self._table_and_parts()
        if parsed is None:
            return
        keys = set(parsed.keys())
        if keys <= self._loaded:
            return
        keep(self._cache_file, parts, {key: parsed.get(key) for key in keys})
        self._loaded = keys

    def _table_and_parts(self) -> tuple[LRUCache[tuple[object, ...], object] | None, list[bytes]]:
        """Textual's table of parsed sheets, and what its entries were parsed with (the theme's
        variables as they are now: a new theme empties the table)."""
        parsed = getattr(self._stylesheet, "_parse_cache", None)
        variables = getattr(self._stylesheet, "_variables", None)
        if not isinstance(parsed, LRUCache) or not isinstance(variables, dict):
            return None, []
        text = "\n".join(f"{name}={value}" for name, value in sorted(variables.items()))
        return parsed, [b"textual styles", text.encode("utf-8"), self._textual]


_PARSING_MODULES = ("textual", "textual.css.model", "textual.css.parse", "textual.css.scalar",
                    "textual.css.styles", "textual.css.stylesheet", "textual.css.tokenize",
                    "textual.css.tokenizer", "textual.css._styles_builder", "textual.css._style_properties",
                    "textual.color", "textual.geometry", "textual.layouts.vertical", "rich", "rich.style",
                    "rich.color")
"""The modules that parse a sheet or define what a parsed sheet is made of (an upgrade of
Textual or Rich writes their files anew)."""


def _textual_css_stamps() -> bytes:
    """The size and modification time of each of those modules' files."""
    stamps = []
    for name in _PARSING_MODULES:
        path = getattr(sys.modules.get(name), "__file__", None)
        if not path:
            stamps.append(f"{name} not loaded")
            continue
        try:
            stat = os.stat(path)
        except OSError:  # gone in the middle of an upgrade: this start parses, and nothing it keeps matches
            stamps.append(f"{name} unreadable {os.getpid()}")
            continue
        stamps.append(f"{name} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(stamps).encode("utf-8")
