"""The app's parsed styles kept between starts (station/tui/style_cache.py): a second start
parses no sheet and draws with the same rules; another theme, an edited sheet or a damaged
file parses afresh."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import textual.css.stylesheet as textual_stylesheet
from textual.color import Color
from textual.css.stylesheet import Stylesheet

from station.service import StationService
from station.tui.screens.home import HomeScreen
from station.tui.style_cache import KeptStyles

from .conftest import AGENT_PIN, make_app, settle, sign_in

SHEET = "Label { color: $accent; } #title { text-style: bold; }"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The text of every sheet Textual parses (not found in its table of parsed sheets)."""
    parsed: list[str] = []
    parse = textual_stylesheet.parse

    def counted(scope, css, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - Textual's own signature
        parsed.append(css)
        return parse(scope, css, *args, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", counted)
    yield parsed


def _sheet(variables: dict[str, str], css: str = SHEET) -> Stylesheet:
    stylesheet = Stylesheet(variables=variables)
    stylesheet.add_source(css, read_from=("test.tcss", ""))
    return stylesheet


def _said(stylesheet: Stylesheet) -> list[tuple[object, ...]]:
    """Every rule as text: selectors, priority, each declaration (a layout compares by identity)."""
    return [(repr(rule.selector_set), rule.is_default_rules, rule.tie_breaker, sorted(rule.styles.important),
             sorted((name, repr(value)) for name, value in rule.styles.get_rules().items()))
            for rule in stylesheet.rules]


def _label_colour(stylesheet: Stylesheet) -> object:
    return stylesheet.rules[0].styles.get_rules()["color"]


def _start(stylesheet: Stylesheet, cache_file: Path) -> KeptStyles:
    """What the app does: load the kept sheets, parse, keep what is new."""
    kept = KeptStyles(stylesheet, cache_file)
    kept.load()
    assert stylesheet.rules
    kept.keep_new()
    return kept


async def test_a_second_start_parses_no_style_and_draws_the_same(village: StationService,
                                                                 parses: list[str]) -> None:
    drawn, parsed = [], []
    for _start_of_the_day in range(2):
        parses.clear()
        app = make_app(village)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "a01", AGENT_PIN)
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            drawn.append(_said(app.stylesheet))
        parsed.append(len(parses))
    assert (village.home.cache_dir / "styles.pickle").is_file()
    assert parsed[0] > 10 and parsed[1] == 0
    assert drawn[0] == drawn[1]


def test_kept_sheets_give_the_rules_a_parse_gives(tmp_path: Path, parses: list[str]) -> None:
    _start(_sheet({"accent": "#ff0000"}), tmp_path / "styles.pickle")
    assert parses == [SHEET]
    parses.clear()
    again = _sheet({"accent": "#ff0000"})
    _start(again, tmp_path / "styles.pickle")
    assert parses == []
    assert _said(again) == _said(_sheet({"accent": "#ff0000"}))
    assert _label_colour(again) == Color.parse("#ff0000")


def test_another_theme_or_an_edited_sheet_is_parsed_afresh(tmp_path: Path, parses: list[str]) -> None:
    cache_file = tmp_path / "styles.pickle"
    _start(_sheet({"accent": "#ff0000"}), cache_file)
    other_theme = _sheet({"accent": "#00ff00"})
    _start(other_theme, cache_file)
    assert _label_colour(other_theme) == Color.parse("#00ff00")
    edited = "Label { color: $accent; } #title { text-style: italic; }"
    _start(_sheet({"accent": "#00ff00"}, edited), cache_file)
    assert parses == [SHEET, SHEET, edited]


def test_a_damaged_file_costs_only_the_parse(tmp_path: Path, parses: list[str]) -> None:
    cache_file = tmp_path / "styles.pickle"
    _start(_sheet({"accent": "#ff0000"}), cache_file)
    cache_file.write_bytes(cache_file.read_bytes()[:200])
    again = _sheet({"accent": "#ff0000"})
    _start(again, cache_file)
    assert parses == [SHEET, SHEET]
    assert _said(again) == _said(_sheet({"accent": "#ff0000"}))
    parses.clear()
    _start(_sheet({"accent": "#ff0000"}), cache_file)  # written again by the start that parsed
    assert parses == []


def test_sheets_that_cannot_be_kept_cost_only_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    def refuses(value: object, protocol: int | None = None) -> bytes:
        raise pickle.PicklingError("a parsed sheet Textual made unpicklable")

    monkeypatch.setattr(pickle, "dumps", refuses)
    _start(_sheet({"accent": "#ff0000"}), tmp_path / "styles.pickle")
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing half-written
