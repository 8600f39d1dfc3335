from __future__ import annotations

from pathlib import Path

import pytest

from station.workdays import WorkCalendar

TABLE_2027 = """\
year = 2027
holidays = [2027-01-01, 2027-02-05, 2027-02-06, 2027-02-07, 2027-02-08,
            2027-10-01, 2027-10-04, 2027-10-05]
workdays = ["2027-02-20", 2027-10-09]
"""


@pytest.fixture(scope="session")
def builtin() -> WorkCalendar:
    return WorkCalendar.load()


@pytest.fixture()
def override_dir(tmp_path: Path) -> Path:
    (tmp_path / "2027.toml").write_text(TABLE_2027, encoding="utf-8")
    return tmp_path
