"""The key hints' line: a click presses the hint's key, the hint under the mouse is
highlighted with its tooltip, a disabled hint only rings the bell; drawn as Textual's compact
footer draws them."""
from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer

from station.service import StationService
from station.tui.screens.cases import CasesScreen
from station.tui.widgets.footer import StationFooter

from .conftest import AGENT_PIN, CLERK_PIN, make_app, settle, sign_in
from .test_layout import rows, strips


def _cell_of(app, text: str) -> int:  # noqa: ANN001 - StationApp
    """The footer's content column where ``text`` starts (the footer pads its content by one)."""
    footer = rows(app)[-1]
    assert text in footer, footer
    return cell_len(footer[:footer.index(text)]) - 1


def _background_at(app, cell: int):  # noqa: ANN001, ANN202 - App; a Rich colour
    column = 0
    for segment in strips(app)[-1]:
        column += segment.cell_length
        if column > cell:
            return segment.style.bgcolor
    raise AssertionError(cell)


async def test_a_click_on_a_hint_presses_its_key(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.click(StationFooter, offset=(1 + _cell_of(app, "c 案件") + 2, 0))  # on its description
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen)


async def test_the_hint_under_the_mouse_is_highlighted_with_its_tooltip(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        palette = _cell_of(app, "^p")
        before = _background_at(app, 1 + palette)
        await pilot.hover(StationFooter, offset=(1 + palette, 0))
        await pilot.pause()
        footer = app.screen.query_one(StationFooter)
        assert _background_at(app, 1 + palette) != before
        assert footer.tooltip == next(hint.tooltip for hint in footer.hints if hint.palette)
        await pilot.hover(StationFooter, offset=(palette - 3, 0))  # the empty middle of the line
        await pilot.pause()
        assert _background_at(app, 1 + palette) == before and footer.tooltip is None


class _TwoKeys(App[None]):
    BINDINGS = [Binding("x", "ring", "可用"), Binding("z", "never", "不可用")]

    def __init__(self, footer: type[Widget] = StationFooter) -> None:
        super().__init__()
        self.footer = footer
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.footer(compact=True) if self.footer is Footer else self.footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "never" else True  # None: shown, but disabled

    def action_ring(self) -> None:
        self.pressed.append("x")

    def bell(self) -> None:
        self.pressed.append("bell")


async def _painted_hints(app: _TwoKeys) -> list[tuple[str, Style | None]]:
    async with app.run_test(size=(40, 3)) as pilot:
        await pilot.pause()
        return [(segment.text, segment.style and segment.style.clear_meta_and_links())
                for segment in strips(app)[-1] if segment.text.strip()]


async def test_the_hints_look_as_in_textuals_compact_footer() -> None:
    painted = await _painted_hints(_TwoKeys())
    assert [text for text, _style in painted] == ["x", " 可用", "z", " 不可用", "▏", "^p", " palette"]
    assert painted == await _painted_hints(_TwoKeys(Footer))  # colours, bold, the disabled one dimmed


async def test_a_click_on_a_disabled_hint_rings_the_bell() -> None:
    app = _TwoKeys()
    async with app.run_test(size=(40, 3)) as pilot:
        await pilot.pause()
        footer = app.query_one(StationFooter)
        assert [(hint.key, hint.enabled) for hint in footer.hints if not hint.palette] == [("x", True), ("z", False)]
        await pilot.click(StationFooter, offset=(1 + _cell_of(app, "z"), 0))
        await pilot.click(StationFooter, offset=(1 + _cell_of(app, "x"), 0))
        await pilot.pause()
        assert app.pressed == ["bell", "x"]


async def test_the_home_line_says_enter_opens_and_offers_the_decisions_queue_only_where_cases_are_decided(
        village: StationService, township: StationService) -> None:
    lines = {}
    for service, operator, pin in ((village, "a01", AGENT_PIN), (township, "c01", CLERK_PIN)):
        app = make_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, operator, pin)
            await settle(pilot)
            lines[service.station.level] = rows(app)[-1]
            commands = [command.title for command in app.get_system_commands(app.screen)]
            assert ("待办队列" in commands) == (service.station.level != "village")
    village_line, township_line = lines["village"], lines["township"]
    assert village_line.lstrip().startswith("⏎ 打开") and "f10 锁屏" in village_line
    assert "待办" not in village_line  # a village decides nothing: its cases wait on the board
    assert township_line.lstrip().startswith("⏎ 打开") and "w 待办" in township_line
    assert "f9 换人" in township_line and "f10 锁屏" in township_line


async def test_the_cases_list_says_enter_opens(village: StationService) -> None:
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await pilot.press("c")
        await settle(pilot)
        assert rows(app)[-1].lstrip().startswith("⏎ 打开 esc 返回")


async def test_a_village_whose_catalogue_has_an_item_it_decides_is_offered_the_queue(village: StationService) -> None:
    from pathlib import Path

    import forms

    text = (Path(forms.__file__).parent / "items" / "420115GF0001.toml").read_text(encoding="utf-8")
    village.home.catalogue_dir.mkdir(parents=True, exist_ok=True)
    (village.home.catalogue_dir / "420115GF0099.toml").write_text(
        text.replace('code = "420115GF0001"', 'code = "420115GF0099"').replace('level = "county"', 'level = "village"'),
        encoding="utf-8")
    app = make_app(village)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "a01", AGENT_PIN)
        await settle(pilot)
        assert app.decides_cases and "w 待办" in rows(app)[-1]
