"""The quick materials check may only ever say "nothing wrong" where the full check would say so too.

``_materials_problem`` asks ``_listed_as_the_catalogue_allows`` first and goes to the full check
(``_materials_reason``) only when that says no. So for every material list the two doors must
give the same answer: the same None, or the same reason. Lists are made from the catalogue's
own materials, then bent the way a careless or hostile station would (an entry dropped or
repeated, a name, flag, limit or status changed, a key left out, an unhashable value, a
``1`` standing for ``True``).
"""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st

from forms.catalogue import builtin_catalogue
from forms.schema import ServiceItem
from sync.ingest import _materials_problem, _materials_reason

ITEMS = builtin_catalogue().items()

_STATUSES = ("received", "deferred", "missing", None, "bogus")
_BENT_VALUES = (0, 1, True, False, None, 7, 7.0, "x", "", [], {}, ["x"])


def _entry(spec: Any, status: str | None) -> dict[str, Any]:
    return {"key": spec.key, "name": spec.name, "required": spec.required, "deferrable": spec.deferrable,
            "defer_days": spec.defer_days, "status": status}


@st.composite
def material_lists(draw: st.DrawFn) -> tuple[list[dict[str, Any]], ServiceItem]:
    """The item's whole list with a status each, then up to three entries dropped, repeated or bent."""
    item = draw(st.sampled_from(ITEMS))
    entries = [_entry(spec, draw(st.sampled_from(_STATUSES))) for spec in item.materials]
    for _ in range(draw(st.integers(0, 3))):
        if not entries:
            break
        at = draw(st.integers(0, len(entries) - 1))
        change = draw(st.sampled_from(("drop", "repeat", "bend", "leave out")))
        if change == "drop":
            del entries[at]
        elif change == "repeat":
            entries.insert(draw(st.integers(0, len(entries))), dict(entries[at]))
        else:
            key = draw(st.sampled_from(sorted(entries[at])))
            if change == "bend" or key in ("key", "name"):
                entries[at][key] = draw(st.sampled_from(_BENT_VALUES))
            else:
                del entries[at][key]
    return entries, item


@settings(max_examples=600, deadline=None)
@given(material_lists())
def test_the_quick_check_never_passes_a_list_the_full_check_faults(case: tuple[list[dict[str, Any]], ServiceItem]) -> None:
    materials, item = case
    try:
        full = _materials_reason(materials, item)  # type: ignore[arg-type]
    except (KeyError, TypeError):  # an entry the full check cannot read (the contract stops it before)
        return
    assert _materials_problem(materials, item) == full  # type: ignore[arg-type]


def test_a_list_as_the_catalogue_has_it_passes_both_checks() -> None:
    for item in ITEMS:
        materials = [_entry(spec, "received") for spec in item.materials]
        assert _materials_reason(materials, item) is None  # type: ignore[arg-type]
        assert _materials_problem(materials, item) is None  # type: ignore[arg-type]
