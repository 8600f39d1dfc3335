"""ESC/POS bytes checked against the commands a 58/80 mm printer should receive."""
from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.cli.main import main
from station.documents import PAPER_58, PAPER_80, EscPos, case_document_facts, compose, escpos_bytes
from station.documents.escpos import NO_LINE_START, columns, qr_module_dots, wrap
from station.ledger import display_case_no
from tests.reports.scenario import Casebook


@pytest.fixture(autouse=True)
def _unlocking_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands run in-process read the store: the PIN of the village operator unlocks it, as for a script."""
    monkeypatch.setenv("STATION_PIN", "1234")

INIT = b"\x1b\x40" + b"\x1c\x26"  # ESC @, FS & (Chinese mode)
CUT = b"\x1b\x64\x04" + b"\x1d\x56\x42\x00"  # ESC d 4, GS V 66 0


def qr_sequence(url: str, module_dots: int) -> bytes:
    stored = len(url) + 3
    return (b"\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"  # model 2
            + b"\x1d\x28\x6b\x03\x00\x31\x43" + bytes([module_dots])  # module size
            + b"\x1d\x28\x6b\x03\x00\x31\x45\x31"  # error level M
            + b"\x1d\x28\x6b" + bytes([stored & 0xFF, stored >> 8]) + b"\x31\x50\x30" + url.encode()  # store
            + b"\x1d\x28\x6b\x03\x00\x31\x51\x30")  # print


@pytest.fixture(scope="module")
def promise(book: Casebook, cases: dict[str, str]):
    return compose("promise", case_document_facts(book.village, cases["E"]))


def test_job_is_init_text_qr_cut(promise) -> None:
    data = escpos_bytes(promise, PAPER_58)
    assert data.startswith(INIT) and data.endswith(CUT)
    assert qr_sequence(promise.tracking_url, 6) in data
    assert data.count(b"\x1d\x28\x6b") == 5
    title = b"\x1b\x61\x01" + b"\x1b\x45\x01" + b"\x1d\x21\x11" + "容缺受理承诺书".encode("gb18030") + b"\n"
    assert title in data and b"\x1d\x21\x00" + b"\x1b\x45\x00" in data
    assert "案件编号：".encode("gb18030") + b"\n" + display_case_no(promise.case_no).encode() + b"\n" in data
    assert len("𠮷".encode("gb18030")) == 4 and "曾𠮷".encode("gb18030") in data  # beyond GBK: four bytes


def test_eighty_millimetres_uses_a_bigger_code_and_wider_lines(promise) -> None:
    narrow, wide = escpos_bytes(promise, PAPER_58), escpos_bytes(promise, PAPER_80)
    assert qr_module_dots(promise.tracking_url, PAPER_80) == 8 and qr_sequence(promise.tracking_url, 8) in wide
    assert len(wide) < len(narrow)  # fewer line breaks
    for paper, data in ((PAPER_58, narrow), (PAPER_80, wide)):
        text_lines = [line for line in data.split(b"\n") if b"\x1d\x28\x6b" not in line]
        widths = [columns(_printable(line)) for line in text_lines]
        assert max(widths) <= paper.columns


def _printable(line: bytes) -> str:
    """The text of one line, with the ESC a / ESC E / GS ! commands before it removed."""
    while line[:1] in (b"\x1b", b"\x1d", b"\x1c"):
        line = line[2:] if line[:2] in (b"\x1c\x26", b"\x1b\x40") else line[3:]
    return line.decode("gb18030")


def test_store_length_is_little_endian_over_255_bytes() -> None:
    data = EscPos().qr("A" * 300, 4).build()
    assert b"\x1d\x28\x6b\x2f\x01\x31\x50\x30" + b"A" * 300 in data  # 303 = 0x012F


words = st.tuples(st.text(alphabet="高龄津贴申请材料ABCdef 123𠮷", min_size=1, max_size=6),
                  st.sampled_from(["", "，", "。", "、", "）"])).map("".join)


@settings(max_examples=80, deadline=None)
@given(st.lists(words, max_size=12).map("".join), st.integers(min_value=6, max_value=48))
def test_wrap_keeps_every_character_within_the_width(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join(lines) == text
    assert all(columns(line) <= width for line in lines)
    assert not any(line[:1] in NO_LINE_START for line in lines[1:])


def test_a_run_of_marks_longer_than_a_line_still_breaks() -> None:
    assert wrap("。" * 5, 4) == ["。。", "。。", "。"]


def test_print_command_to_a_file_and_a_network_printer(book: Casebook, cases: dict[str, str], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    home = str(book.village.home.root)
    target = tmp_path / "lp0"
    assert main(["--home", home, "print", cases["E"], "notice", "--escpos", str(target), "--width", "80", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["escpos_bytes"] == len(target.read_bytes()) and target.read_bytes().startswith(INIT)

    received = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as server:
        thread = threading.Thread(target=lambda: _receive(server, received))
        thread.start()
        port = server.getsockname()[1]
        assert main(["--home", home, "print", cases["E"], "notice", "--escpos", f"tcp://127.0.0.1:{port}",
                     "--width", "80"]) == 0
        thread.join(timeout=5)
    assert bytes(received) == target.read_bytes()


def _receive(server: socket.socket, into: bytearray) -> None:
    connection, _ = server.accept()
    with connection:
        while chunk := connection.recv(4096):
            into += chunk


def test_unreachable_printer_says_what_to_check(book: Casebook, cases: dict[str, str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    code = main(["--home", str(book.village.home.root), "print", cases["E"], "promise", "--escpos",
                 f"tcp://127.0.0.1:{port}"])
    assert code == 1 and f"127.0.0.1:{port}" in capsys.readouterr().err
    assert main(["--home", str(book.village.home.root), "print", cases["G"], "acceptance"]) == 2
