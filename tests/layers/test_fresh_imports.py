"""What a fresh process loads: the hub no station store, the shared core no HTTP client, UI or store."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SHARED_CORE = ("forms", "station.ledger", "station.topology", "sync.wire")
"""``import sync.wire`` may load these (and the ``station`` and ``sync`` packages, which are empty)."""
PROJECT = ("forms", "station", "sync", "cityhall")


def _loaded(module: str) -> list[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _under(names: list[str], *prefixes: str) -> list[str]:
    return [n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes)]


def test_the_hub_loads_no_station_store_or_service() -> None:
    loaded = _loaded("cityhall.app")
    assert "cityhall.app" in loaded
    assert _under(loaded, "station.store", "station.service", "station.migrations", "station.tui", "station.cli",
                  "sync.client", "sync.loop", "sync.session", "textual", "sqlite_utils") == []


def test_the_wire_format_loads_only_the_shared_core() -> None:
    loaded = _loaded("sync.wire")
    project = [n for n in _under(loaded, *PROJECT) if n not in ("station", "sync")]
    assert "sync.wire" in project
    assert [n for n in project if not _under([n], *SHARED_CORE)] == []
    assert _under(loaded, "httpx", "textual", "sqlite_utils", "tenacity", "fastapi", "sqlalchemy") == []


def test_the_package_roots_load_nothing_more() -> None:
    loaded = _loaded("sync")
    assert _under(loaded, "sync") == ["sync"] and _under(loaded, "station", "httpx") == []


# -- read-only station commands load only what they use (bench/bench_cli_start.py times them) ---------------

HEAVY = ("httpx", "textual", "PIL", "qrcode", "msgspec", "fpdf", "openpyxl", "tenacity", "pypinyin", "zstandard",
         "sqlite_utils")
OTHER_COMMANDS = ("station.cli.documents", "station.cli.sync", "station.cli.attachments", "station.cli.queue",
                  "station.cli.recovery", "sync", "station.tui", "station.receipts.png", "station.documents")


@pytest.fixture(scope="module")
def station_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    from tests.support.hub import ROOT, file_case, make_station

    folder = tmp_path_factory.mktemp("home")
    service, operator, _ = make_station(folder, "420115102203", ROOT / "stations.toml")
    case_no = file_case(service, operator)
    service.close()
    return os.environ | {"STATION_HOME": str(folder / "420115102203"), "STATION_PIN": "1234"}, case_no


def _loaded_by_command(env: dict[str, str], *argv: str) -> list[str]:
    code = ("import json, sys\nfrom station.cli.main import main\ncode = main(sys.argv[1:])\n"
            "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *argv, "--json"], capture_output=True, text=True, env=env,
                          check=True)
    exit_code, loaded = json.loads(done.stderr.splitlines()[-1])
    assert exit_code == 0, done.stderr
    return loaded


def test_station_items_opens_no_store_no_keys_no_service(station_home: tuple[dict[str, str], str]) -> None:
    env, _ = station_home
    _loaded_by_command(env, "items")  # the first start writes the parsed catalogue
    loaded = _loaded_by_command(env, "items")
    assert _under(loaded, *HEAVY, *OTHER_COMMANDS, "cryptography", "sqlcipher3", "station.service", "station.store",
                  "station.lockbox", "station.views", "station.deadlines", "station.ledger.fold",
                  "station.ledger.events", "station.ledger.contract", "tomllib") == []


@pytest.mark.parametrize("command", ["cases", "case"])
def test_reading_cases_loads_no_network_ui_drawing_nor_recovery_key(station_home: tuple[dict[str, str], str],
                                                                    command: str) -> None:
    env, case_no = station_home
    loaded = _loaded_by_command(env, *([command, case_no] if command == "case" else [command]))
    assert "station.store" in loaded
    assert _under(loaded, *HEAVY, *OTHER_COMMANDS, "station.recovery", "station.ledger.contract",
                  "station.ledger.hlc") == []  # the hybrid clock is for writes
    # of cryptography only its compiled core, for AES-GCM (station/datakey.py): no ciphers package, no KDF, no X25519
    assert _under(loaded, "cryptography.hazmat.primitives") == []
    assert _under(loaded, "tomllib", "forms.schema", "forms.catalogue") == []  # no TOML parsed, no catalogue read
    assert _under(loaded, "shutil", "secrets", "random") == []  # no terminal size asked of shutil, no new secrets
    if command == "cases":
        assert _under(loaded, "station.views", "forms.validators") == []


def test_the_ledger_names_load_lazily_and_fold_stays_the_function() -> None:
    code = ("import json, sys, types\nimport station.ledger.fold\nfrom station.ledger import fold, KINDS\n"
            "import station.ledger as ledger\n"
            "print(json.dumps([isinstance(fold, types.FunctionType), ledger.fold is fold, len(KINDS) > 0]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [True, True, True]
    loaded = _loaded("station.ledger")
    assert _under(loaded, "station.ledger") == ["station.ledger"]
    import station.ledger as ledger

    assert [name for name in ledger.__all__ if not hasattr(ledger, name)] == []
