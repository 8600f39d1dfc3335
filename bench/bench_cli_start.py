"""Read-only ``station`` commands (``items``, ``cases``, ``case``) against ``python -c pass`` (budget ≤ 4×).

Each command runs as a fresh process on a station home with a few filed cases, the way
an agent or a script runs it; the baseline is the same interpreter doing nothing, timed
in the same rounds (interleaved, so a busy machine slows both alike). Medians of the
rounds, with the spread. Also lists the heavy packages a read-only command imported.

The project's modules are compiled to bytecode first, as installing the package does
(``PYTHONDONTWRITEBYTECODE`` in the environment would otherwise leave every run compiling
them from source): what is measured is the start of an installed command.

    .venv/bin/python bench/bench_cli_start.py [--rounds 15] [--cases 20]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.hub import ROOT, file_case, make_station  # noqa: E402

VENV_BIN = Path(sys.executable).parent
HEAVY = ("httpx", "PIL", "qrcode", "textual", "zstandard", "cryptography", "sqlite_utils", "msgspec", "fpdf", "openpyxl",
         "tenacity", "pypinyin")
"""Packages a read-only command has no use for."""


def prepare(folder: Path, cases: int) -> tuple[dict[str, str], str]:
    """A station home with ``cases`` filed cases; the environment for it and one case number."""
    service, operator, _ = make_station(folder, "420115102203", ROOT / "stations.toml")
    case_no = ""
    for _ in range(cases):
        case_no = file_case(service, operator)
    service.close()
    return os.environ | {"STATION_HOME": str(folder / "420115102203"), "STATION_PIN": "1234"}, case_no


PACKAGES = ("station", "forms", "sync")


def compile_bytecode() -> None:
    """Bytecode for the project's modules, as ``pip install`` writes it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(ROOT / p) for p in PACKAGES)], env=env,
                   check=True, stdout=subprocess.DEVNULL)


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def heavy_imports(argv: list[str], env: dict[str, str]) -> list[str]:
    """Top-level packages of HEAVY that the command imported (from ``-X importtime``)."""
    script = "import sys; from station.cli import main; sys.argv = ['station', *sys.argv[1:]]; main()"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", script, *argv[1:]], env=env,
                          capture_output=True, text=True, check=True)
    loaded = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    return sorted(loaded & set(HEAVY))


def measure(rounds: int, cases: int) -> dict[str, dict[str, float] | list[str]]:
    compile_bytecode()
    with tempfile.TemporaryDirectory() as folder_name:
        env, case_no = prepare(Path(folder_name), cases)
        station = str(VENV_BIN / "station")
        commands = {"python -c pass": [sys.executable, "-c", "pass"], "station items": [station, "items", "--json"],
                    "station cases": [station, "cases", "--json"], "station case": [station, "case", case_no, "--json"]}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, argv in commands.items():
                times[name].append(timed(argv, env))
        figures: dict[str, dict[str, float] | list[str]] = {
            name: {"median": statistics.median(t), "min": min(t), "max": max(t)} for name, t in times.items()}
        figures["heavy_imports"] = heavy_imports(commands["station items"], env)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--cases", type=int, default=20)
    args = parser.parse_args()
    figures = measure(args.rounds, args.cases)
    baseline = figures["python -c pass"]
    assert isinstance(baseline, dict)
    print(f"baseline python -c pass: median {baseline['median'] * 1000:.0f} ms "
          f"(spread {baseline['min'] * 1000:.0f}–{baseline['max'] * 1000:.0f}), {args.rounds} rounds")
    for name in ("station items", "station cases", "station case"):
        run = figures[name]
        assert isinstance(run, dict)
        print(f"{name}: median {run['median'] * 1000:.0f} ms (spread {run['min'] * 1000:.0f}–{run['max'] * 1000:.0f}); "
              f"ratio {run['median'] / baseline['median']:.1f}×  (budget ≤ 4×)")
    print(f"heavy packages a read-only command imported: {', '.join(figures['heavy_imports']) or 'none'}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
