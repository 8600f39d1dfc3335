"""What goes into the station's logs (``tui.log``, ``logs/error.log``) leaves citizens' data out.

A crash's traceback or an exception's message may carry what was being handled: a name,
an ID number, a phone, a bank account, a form answer. The logs keep file names, line
numbers, the code and the exception's type; in the text of every line:

- every run of 11 or more digits (ID numbers, phones, bank accounts; an ID's final X
  with it) becomes ``<number>``;
- every run of Chinese characters (names, addresses, form answers: a name cannot be told
  from other Chinese text) becomes ``<chinese>``;
- every value a command was given on its command line (``--applicant-name``, ``--field
  K=V``, …) that is still there becomes ``<value>``.

Tracebacks never hold the frames' local variables (Python's do not), and the app writes
none of its own.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["mask", "MaskingFormatter", "argument_values"]

_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{11,}[0-9Xx]?(?![0-9])")
_CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u00b7"
                      "\U00020000-\U0003134f]+")


def mask(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with the values above replaced (the longest known values first)."""
    for value in sorted({v for v in known if len(v.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(value, "<value>")
    text = _LONG_NUMBER.sub("<number>", text)
    return _CHINESE.sub("<chinese>", text)


PERSONAL_OPTIONS = ("applicant_id", "applicant_name", "phone", "field", "reason", "name")
"""The command-line options (argparse names) that carry a citizen's or an operator's data."""


def argument_values(options: dict[str, object]) -> list[str]:
    """The values given to the personal options (a ``K=V`` also as its value alone)."""
    values: list[str] = []
    for option in PERSONAL_OPTIONS:
        given = options.get(option)
        for value in given if isinstance(given, list) else [given]:
            if isinstance(value, str):
                values += [value, value.partition("=")[2]] if "=" in value else [value]
    return values


class MaskingFormatter(logging.Formatter):
    """A formatter whose every record, traceback included, goes through :func:`mask`."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))
