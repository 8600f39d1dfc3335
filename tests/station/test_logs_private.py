"""A crash during an intake leaves no citizen's data in the logs (``logs/error.log``, ``tui.log``)."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from station.cli.main import main
from station.home import StationHome
from station.service import IntakeRequest, StationService
from station.tui.app import open_log

from .helpers import ALLOWANCE, example_fields
from . import test_encryption
from .test_encryption import BANK_ACCOUNT, FORM_ANSWER, ID_NUMBER, NAME, PHONE, SECRETS, leaks

home = test_encryption.home
"""The same fixture: an encrypted home through the real command, with operator A01."""

_HOUSE = "诸葛小明"


def _crash(self: StationService, operator: object, request: IntakeRequest) -> None:
    """A bug deep in an intake whose message (and the frame) hold everything the citizen gave."""
    applicant = {"name": request.applicant_name, "id": request.applicant_id, "phone": request.phone,
                 "fields": request.fields, "bank": BANK_ACCOUNT}
    raise RuntimeError(f"could not file {applicant!r}")


def _log_files(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in root.rglob("*.log") if path.is_file()}


def test_a_crash_in_an_intake_leaves_no_personal_data_in_error_log(
        home: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = home
    monkeypatch.setenv("STATION_PIN", "1234")
    monkeypatch.setattr(StationService, "intake", _crash)
    fields = example_fields(ALLOWANCE) | {"collector_name": _HOUSE, "address": FORM_ANSWER}
    flags = [arg for key, value in fields.items() for arg in ("--field", f"{key}={value}")]
    code = main(["--home", str(root), "intake", "--agent", "A01", "--item", ALLOWANCE, "--applicant-id", ID_NUMBER,
                 "--applicant-name", NAME, "--phone", PHONE, *flags, "--received", "id_and_hukou"])
    assert code == 1 and "内部错误" in capsys.readouterr().err
    logs = _log_files(root)
    error_log = root / "logs" / "error.log"
    assert error_log in logs and b"RuntimeError" in logs[error_log] and b"_crash" in logs[error_log]
    assert leaks(logs, SECRETS) == []


def test_the_apps_log_masks_what_a_failure_carried(home: tuple[Path, str]) -> None:
    root, _ = home
    handler = open_log(StationHome(root))
    try:
        try:
            _crash(None, None, IntakeRequest(ALLOWANCE, ID_NUMBER, NAME, PHONE, {"address": FORM_ANSWER,
                                                                                 "collector_name": _HOUSE}))
        except RuntimeError as error:
            logging.getLogger("station.tui").error("IntakeScreen failed: %r", error, exc_info=error)
        logging.getLogger("station.sync").warning("sync round failed (will retry): %s", f"{NAME} {PHONE}")
        handler.flush()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    logs = _log_files(root)
    assert b"IntakeScreen failed" in logs[root / "tui.log"] and b"sync round failed" in logs[root / "tui.log"]
    assert leaks(logs, SECRETS) == []
