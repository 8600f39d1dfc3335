"""Service items: the item schema, field validators and the built-in catalogue.

Pure data and checks: nothing here does network I/O or imports the UI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from forms.lazy_names import lazy_getattr

if TYPE_CHECKING:  # for the type checker the names are there; at run time __getattr__ loads each one's module
    from forms.catalogue import (
        Catalogue,
        UnknownItem,
        builtin_catalogue,
        load_catalogue,
        merged_catalogue,
        station_catalogue,
    )
    from forms.checksums import mod11_2_check_char, uscc_check_char
    from forms.schema import (
        FIELD_TYPES,
        ITEM_KINDS,
        LEVELS,
        CatalogueError,
        FieldSpec,
        MaterialSpec,
        ServiceItem,
        load_item,
        parse_item,
    )
    from forms.validators import (
        InvalidValue,
        check_bool,
        check_choice,
        check_date,
        check_division_code,
        check_id_number,
        check_integer,
        check_money,
        check_phone,
        check_text,
        check_uscc,
        id_number_birth_date,
        id_number_sex,
        mask_id_number,
        mask_name,
        mask_phone,
        validate_field,
        validate_form,
    )

__all__ = [
    "FIELD_TYPES",
    "ITEM_KINDS",
    "LEVELS",
    "Catalogue",
    "CatalogueError",
    "FieldSpec",
    "InvalidValue",
    "MaterialSpec",
    "ServiceItem",
    "UnknownItem",
    "builtin_catalogue",
    "check_bool",
    "check_choice",
    "check_date",
    "check_division_code",
    "check_id_number",
    "check_integer",
    "check_money",
    "check_phone",
    "check_text",
    "check_uscc",
    "id_number_birth_date",
    "id_number_sex",
    "load_catalogue",
    "load_item",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "merged_catalogue",
    "mod11_2_check_char",
    "parse_item",
    "station_catalogue",
    "uscc_check_char",
    "validate_field",
    "validate_form",
]

_MODULES = {
    "catalogue": ("Catalogue", "UnknownItem", "builtin_catalogue", "load_catalogue", "merged_catalogue",
                  "station_catalogue"),
    "checksums": ("mod11_2_check_char", "uscc_check_char"),
    "schema": ("FIELD_TYPES", "ITEM_KINDS", "LEVELS", "CatalogueError", "FieldSpec", "MaterialSpec", "ServiceItem",
               "load_item", "parse_item"),
    "validators": ("InvalidValue", "check_bool", "check_choice", "check_date", "check_division_code",
                   "check_id_number", "check_integer", "check_money", "check_phone", "check_text", "check_uscc",
                   "id_number_birth_date", "id_number_sex", "mask_id_number", "mask_name", "mask_phone",
                   "validate_field", "validate_form"),
}
__getattr__ = lazy_getattr(__name__, globals(), _MODULES)
"""Each name loads its own module on first use: a check digit needs no catalogue, a case no schema."""
