"""No garbage collection during the app's bursts of long-lived objects.

Starting the app (Textual's modules, the styles, the sign-in screen) and signing in (the
home screen and its board) each make tens of thousands of objects that live as long as
the app. The cyclic collector, left on, walks them again and again while they are made:
about 20 ms of a 350 ms start. So it is paused for the burst, and resumed with everything
made so far frozen (never walked again) once the screen is drawn. A burst that goes wrong
resumes it after ``LONGEST_BURST_S`` at the latest.
"""
from __future__ import annotations

import gc
import threading

__all__ = ["pause_collection", "resume_collection", "LONGEST_BURST_S"]

LONGEST_BURST_S = 5.0

_timers: list[threading.Timer] = []
"""The safety timer of the burst under way (at most one)."""


def pause_collection() -> None:
    gc.disable()
    while _timers:
        _timers.pop().cancel()
    timer = threading.Timer(LONGEST_BURST_S, resume_collection)
    timer.daemon = True
    timer.start()
    _timers.append(timer)


def resume_collection() -> None:
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
