"""Equality, ``repr`` and immutability for plain classes, without the ``dataclasses`` module.

Importing ``dataclasses`` (it loads ``inspect``, ``ast``, ``dis`` and ``tokenize``) and making
each class with it (it compiles the class's methods from source) cost a read-only ``station``
command more than its own work: about 13 ms for the module and up to a millisecond per class.
The core types a command loads (the ledger's ``Event`` and ``CaseState``, the keys and the
credentials, the working-day tables) are plain classes with their own ``__init__`` and take
what a dataclass gave them from here: equality over the fields listed in ``_fields`` (and
only between instances of the same class), a ``repr`` naming them, and, for a
:class:`FrozenRecord`, attributes that cannot be set or deleted once made, and a hash.
"""
from __future__ import annotations

from typing import ClassVar

__all__ = ["Record", "FrozenRecord", "FrozenRecordError"]


class FrozenRecordError(AttributeError):
    """An attribute of a :class:`FrozenRecord` was set or deleted after it was made."""


class Record:
    """A class whose ``_fields`` make its equality and ``repr``; it has no hash, as it may change."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
    _fields: ClassVar[tuple[str, ...]] = ()
    """The attributes that say what the value is: compared, and shown by ``repr``."""

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"


class FrozenRecord(Record):
    """A :class:`Record` that cannot change once made (its ``__init__`` sets the attributes with
    :meth:`_assign`); it hashes by its fields, as a frozen dataclass does."""

    __slots__ = ()

    def _assign(self, **values: object) -> None:
        """Set attributes while the instance is being made (its ``__init__`` alone calls this)."""
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r} of {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r} of {type(self).__name__}")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values())
