"""Read-only ``station`` commands (``items``, ``cases``, ``case``) against ``python -c pass`` (budget ≤ 4×).

Each command runs as a fresh process on a station home with a few filed cases, the way
an agent or a script runs it; the baseline is the same interpreter doing nothing, timed
in the same rounds (interleaved, so a busy machine slows both alike). Medians of the
rounds, with the spread. Also lists the heavy packages each read-only command imported.

``cases`` and ``case`` need the operator's PIN: unlocking the store runs one scrypt
(``station/pins.py``), started in a thread as soon as the command is known so that it runs
while the command loads (``station/unlock_ahead.py``). To show how much of their start that
is, the same rounds also time scrypt alone (``python -c``), and ``station cases`` run through
a small wrapper three times: as it is, with that scrypt answered from memory (the digest
computed beforehand), and with the scrypt computed in line by the unlock (nothing started
ahead, as before). The first two differ by what is left of scrypt's share (the wait for the
thread); the first and the last by what starting it ahead saves.

The project's modules are compiled to bytecode first, as installing the package does
(``PYTHONDONTWRITEBYTECODE`` in the environment would otherwise leave every run compiling
them from source): what is measured is the start of an installed command. Every run imports
the project from this checkout (``PYTHONPATH``), not from wherever the package was installed
from in editable mode (another checkout, whose code would be measured instead).

    .venv/bin/python bench/bench_cli_start.py [--rounds 15] [--cases 20]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from station.datakey import read_ring  # noqa: E402
from station.lockbox import KEYS_FILE  # noqa: E402
from station.pins import _N, _P, _R, pin_digest  # noqa: E402
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
    return os.environ | {"STATION_HOME": str(folder / "420115102203"), "STATION_PIN": "1234",
                         "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}, case_no


PACKAGES = ("station", "forms", "sync")
PIN = "1234"
SCRYPT_ALONE = f"import hashlib; hashlib.scrypt(b'{PIN}', salt=bytes(16), n={_N}, r={_R}, p={_P}, dklen=32)"
WRAPPED = """
import hashlib, json, os, sys
known = {bytes.fromhex(s): bytes.fromhex(d) for s, d in json.loads(os.environ.get("BENCH_SCRYPT_MEMO", "{}")).items()}
real = hashlib.scrypt
def scrypt(password, *, salt, n, r, p, maxmem=0, dklen=64):
    return known.get(bytes(salt)) or real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)
hashlib.scrypt = scrypt
import station.cli.main
if os.environ.get("BENCH_NOTHING_AHEAD"):
    sys.modules["station.cli.main"]._UnlockAhead.start = lambda self, command, home: None
sys.exit(station.cli.main(sys.argv[1:]))
"""
"""``station`` through a wrapper whose scrypt answers the salts in BENCH_SCRYPT_MEMO from memory, and
which with BENCH_NOTHING_AHEAD starts no digest ahead (the unlock computes it in line, as it used to)."""


def scrypt_memo(home: Path) -> str:
    """The PIN's digest for every operator's wrap salt, as BENCH_SCRYPT_MEMO wants it."""
    ring = read_ring(home / KEYS_FILE)
    assert ring is not None
    salts = [wrap.salt_bytes() for wrap in ring.operators.values()]
    return json.dumps({salt.hex(): pin_digest(PIN, salt).hex() for salt in salts})


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


READ_ONLY = ("station items", "station cases", "station case")


def measure(rounds: int, cases: int) -> tuple[dict[str, dict[str, float]], dict[str, list[str]]]:
    compile_bytecode()
    with tempfile.TemporaryDirectory() as folder_name:
        env, case_no = prepare(Path(folder_name), cases)
        station = str(VENV_BIN / "station")
        wrapped = [sys.executable, "-c", WRAPPED, "cases", "--json"]
        memo = env | {"BENCH_SCRYPT_MEMO": scrypt_memo(Path(env["STATION_HOME"]))}
        commands = {"python -c pass": ([sys.executable, "-c", "pass"], env),
                    "station items": ([station, "items", "--json"], env),
                    "station cases": ([station, "cases", "--json"], env),
                    "station case": ([station, "case", case_no, "--json"], env),
                    "scrypt alone": ([sys.executable, "-c", SCRYPT_ALONE], env),
                    "cases, wrapped": (wrapped, env), "cases, wrapped, scrypt from memory": (wrapped, memo),
                    "cases, wrapped, scrypt in line": (wrapped, env | {"BENCH_NOTHING_AHEAD": "1"})}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, (argv, run_env) in commands.items():
                times[name].append(timed(argv, run_env))
        figures = {name: {"median": statistics.median(t), "min": min(t), "max": max(t)} for name, t in times.items()}
        heavy = {name: heavy_imports(commands[name][0], env) for name in READ_ONLY}
    return figures, heavy


def _ms(run: dict[str, float]) -> str:
    return f"median {run['median'] * 1000:.0f} ms (spread {run['min'] * 1000:.0f}–{run['max'] * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--cases", type=int, default=20)
    args = parser.parse_args()
    figures, heavy = measure(args.rounds, args.cases)
    base = figures["python -c pass"]["median"]
    print(f"baseline python -c pass: {_ms(figures['python -c pass'])}, {args.rounds} rounds")
    for name in READ_ONLY:
        print(f"{name}: {_ms(figures[name])}; ratio {figures[name]['median'] / base:.1f}×  (budget ≤ 4×)")
    print("heavy packages a read-only command imported: "
          + "; ".join(f"{name.removeprefix('station ')} {', '.join(heavy[name]) or 'none'}" for name in READ_ONLY))
    alone, real, memo, in_line = (figures[k]["median"] for k in (
        "scrypt alone", "cases, wrapped", "cases, wrapped, scrypt from memory", "cases, wrapped, scrypt in line"))
    print(f"scrypt of the PIN (n={_N}, r={_R}, p={_P}) alone: {_ms(figures['scrypt alone'])}, "
          f"{(alone - base) * 1000:.0f} ms over the baseline ({(alone - base) / base:.1f}× of it)")
    print(f"station cases through the wrapper: {_ms(figures['cases, wrapped'])}, ratio {real / base:.1f}×; "
          f"with the scrypt from memory: {_ms(figures['cases, wrapped, scrypt from memory'])}, ratio {memo / base:.1f}×; "
          f"scrypt's share {(real - memo) * 1000:.0f} ms ({(real - memo) / base:.1f}× the baseline)")
    print(f"station cases with the scrypt in line (not started ahead): {_ms(figures['cases, wrapped, scrypt in line'])}, "
          f"ratio {in_line / base:.1f}×; starting it ahead saves {(in_line - real) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
