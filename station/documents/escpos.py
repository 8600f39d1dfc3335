"""Documents for 58 mm and 80 mm thermal receipt printers, as ESC/POS bytes.

Chinese printers take GB18030 double-byte text once Chinese mode is on (``FS &``). The
standard font is 12 dots wide a column, 24 dots a Chinese character, so a 384-dot (58 mm)
head gives 32 columns and a 576-dot (80 mm) head 48. The QR code is printed by the
printer itself from ``GS ( k`` (model 2, error level M), which keeps it sharp and small.
"""
from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from station.errors import DiskUnwritable, StationError
from station.filewrite import DISK_ERRNOS, disk_problem, write_atomically

from .content import Document, Heading, KeyValue, Numbered, Paragraph, QRCode, Section, SignLine, Title

__all__ = [
    "PaperWidth", "PAPER_58", "PAPER_80", "PAPER_WIDTHS", "EscPos", "escpos_bytes", "columns", "wrap",
    "send_escpos", "PrinterError",
]

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
QR_MODEL_2, QR_LEVEL_M = 0x32, 0x31
QR_FEED_LINES_BEFORE_CUT = 4
RAW_PRINTER_PORT = 9100
NO_LINE_START = frozenset("，。、：；！？）》」』】〕…,.:;!?)]}")
"""Closing punctuation that must not begin a line (Chinese line-breaking rules)."""


@dataclass(frozen=True)
class PaperWidth:
    millimetres: int
    columns: int
    dots: int


PAPER_58 = PaperWidth(58, 32, 384)
PAPER_80 = PaperWidth(80, 48, 576)
PAPER_WIDTHS = {58: PAPER_58, 80: PAPER_80}


class PrinterError(StationError):
    """The printer could not be reached or written to; nothing was printed."""


def columns(text: str) -> int:
    """Printed width in columns: ASCII takes one, a Chinese character two."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns, never starting with closing punctuation."""
    lines, line = [], ""
    for ch in text:
        if line and columns(line + ch) > width:
            line, carry = _break_before(line, ch, width)
            lines.append(line)
            line = carry
        line += ch
    return [*lines, line] if line or not lines else lines


def _break_before(line: str, following: str, width: int) -> tuple[str, str]:
    """Split ``line`` so that what goes down with ``following`` does not start with closing punctuation."""
    cut, head = len(line), following
    while head in NO_LINE_START and cut > 1:
        cut -= 1
        head = line[cut]
    if head in NO_LINE_START or columns(line[cut:] + following) > width:
        return line, ""  # a run of marks as long as a line: break where it overflows
    return line[:cut], line[cut:]


class EscPos:
    """Builds one print job; each method appends its command and returns the builder."""

    def __init__(self, paper: PaperWidth = PAPER_58) -> None:
        self.paper = paper
        self._buffer = bytearray()

    def raw(self, data: bytes) -> EscPos:
        self._buffer += data
        return self

    def initialise(self) -> EscPos:
        """``ESC @`` resets the printer; ``FS &`` turns on Chinese (GB18030) character mode."""
        return self.raw(ESC + b"@" + FS + b"&")

    def bold(self, on: bool = True) -> EscPos:
        return self.raw(ESC + b"E" + bytes([1 if on else 0]))

    def double_size(self, on: bool = True) -> EscPos:
        """``GS !`` with double width and double height, or back to normal."""
        return self.raw(GS + b"!" + bytes([0x11 if on else 0x00]))

    def align(self, where: str) -> EscPos:
        return self.raw(ESC + b"a" + bytes([{"left": 0, "centre": 1, "right": 2}[where]]))

    def line(self, text: str = "") -> EscPos:
        return self.raw(text.encode("gb18030") + LF)

    def feed(self, lines: int) -> EscPos:
        return self.raw(ESC + b"d" + bytes([lines]))

    def qr(self, data: str, module_dots: int) -> EscPos:
        """The five ``GS ( k`` functions: model 2, module size, level M, store the data, print."""
        return (self._qr_function(0x41, bytes([QR_MODEL_2, 0]))  # noqa: SLF001 - chained on self
                ._qr_function(0x43, bytes([module_dots]))
                ._qr_function(0x45, bytes([QR_LEVEL_M]))
                ._qr_function(0x50, b"\x30" + data.encode("ascii"))
                ._qr_function(0x51, b"\x30"))

    def _qr_function(self, function: int, parameters: bytes) -> EscPos:
        """``GS ( k pL pH cn fn ...``: pL, pH count the bytes after them (cn 49 = QR code)."""
        size = len(parameters) + 2
        return self.raw(GS + b"(k" + bytes([size % 256, size // 256, 0x31, function]) + parameters)

    def cut(self) -> EscPos:
        """Feed to the cutter and cut partially (``GS V 66 0``)."""
        return self.raw(GS + b"V" + bytes([66, 0]))

    def build(self) -> bytes:
        return bytes(self._buffer)


def qr_module_dots(url: str, paper: PaperWidth) -> int:
    """Module size so the code takes about two thirds of the paper, between 3 and 8 dots."""
    from station.receipts import qr_matrix  # qrcode and Pillow load only when a document is printed

    modules = qr_matrix(url, border=0, max_version=40).size + 8  # with the printer's quiet zone
    return max(3, min(8, (paper.dots * 2 // 3) // modules))


def escpos_bytes(document: Document, paper: PaperWidth = PAPER_58) -> bytes:
    job = EscPos(paper).initialise()
    for block in document.blocks:
        _BLOCKS[type(block)](job, block)
    return job.feed(QR_FEED_LINES_BEFORE_CUT).cut().build()


def _lines(job: EscPos, text: str, width: int | None = None) -> None:
    for part in wrap(text, width or job.paper.columns):
        job.line(part)


def _heading(job: EscPos, block: Heading) -> None:
    job.align("centre")
    _lines(job, block.text)
    job.align("left")


def _title(job: EscPos, block: Title) -> None:
    job.align("centre").bold().double_size()
    _lines(job, block.text, job.paper.columns // 2)
    job.double_size(False).bold(False).align("left").line()


def _section(job: EscPos, block: Section) -> None:
    job.line().align("centre").bold()
    _lines(job, block.text)
    job.bold(False).align("left")


def _key_value(job: EscPos, block: KeyValue) -> None:
    """A value that would break across lines but fits one (a case number) gets a line of its own."""
    text = f"{block.label}：{block.value}"
    if columns(text) > job.paper.columns >= columns(block.value):
        job.line(f"{block.label}：")
        text = block.value
    _lines(job, text)


def _paragraph(job: EscPos, block: Paragraph) -> None:
    _lines(job, block.text)


def _numbered(job: EscPos, block: Numbered) -> None:
    for number, item in enumerate(block.items, start=1):
        marker = f"{number}. "
        first, *rest = wrap(item, job.paper.columns - len(marker))
        job.line(marker + first)
        for continuation in rest:
            job.line(" " * len(marker) + continuation)


def _sign_line(job: EscPos, block: SignLine) -> None:
    job.align("right")
    _lines(job, block.text)
    job.align("left")


def _qr_code(job: EscPos, block: QRCode) -> None:
    job.line().align("centre").qr(block.url, qr_module_dots(block.url, job.paper)).line()
    _lines(job, block.caption)
    job.align("left").line()


_BLOCKS: dict[type, Callable[[EscPos, Any], None]] = {
    Heading: _heading, Title: _title, Section: _section, KeyValue: _key_value, Paragraph: _paragraph,
    Numbered: _numbered, SignLine: _sign_line, QRCode: _qr_code,
}


def send_escpos(data: bytes, target: str, timeout_s: float = 10.0) -> str:
    """Print: ``tcp://host[:port]`` (raw port 9100), else a file or device path written as is."""
    if target.lower().startswith("tcp://"):
        return _send_tcp(data, target, timeout_s)
    path = Path(target)
    try:
        write_atomically(path, data)  # a file gets all the bytes or none; a device gets them as they are
    except OSError as exc:
        if exc.errno in DISK_ERRNOS:
            raise DiskUnwritable(disk_problem(exc)) from exc
        raise PrinterError(f"无法写入打印机或文件 {target}：{exc.strerror or exc}。请检查打印机是否连接、路径是否正确") from exc
    return str(path)


def _send_tcp(data: bytes, target: str, timeout_s: float) -> str:
    address = urlsplit(target)
    if not address.hostname:
        raise PrinterError(f"网络打印机地址“{target}”不对，应写成 tcp://主机:端口，例如 tcp://192.168.1.50:9100")
    port = address.port or RAW_PRINTER_PORT
    try:
        with socket.create_connection((address.hostname, port), timeout=timeout_s) as printer:
            printer.sendall(data)
    except OSError as exc:
        raise PrinterError(f"连不上网络打印机 {address.hostname}:{port}（{exc}）。请检查打印机电源、网线和地址") from exc
    return f"tcp://{address.hostname}:{port}"
