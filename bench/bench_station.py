"""Station budgets (DESIGN §8), each against a bare-SQLite baseline in the same run.

    python bench/bench_station.py                 # full: 1,000,000 citizens, 300 intakes
    python bench/bench_station.py --citizens 20000 --intakes 50   # quick

Prints intake-to-durable-case-plus-receipt-PNG latency (budget ≤ 30 ms median) and
citizen lookup by ID number and by pinyin initials (budgets ≤ 1 ms / ≤ 5 ms median).
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forms import builtin_catalogue, mod11_2_check_char  # noqa: E402
from station.home import CHINA_TZ, StationHome  # noqa: E402
from station.names import name_keys  # noqa: E402
from station.receipts import render_png  # noqa: E402
from station.service import IntakeRequest, StationService, init_station  # noqa: E402
from station.views import case_view, receipt_data  # noqa: E402

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰海燕志强春梅文斌金凤德福小红国庆𠮷"
ITEM = "420115GF0004"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def random_id(rng: random.Random) -> str:
    born = date.fromordinal(rng.randint(date(1930, 1, 1).toordinal(), date(2008, 12, 31).toordinal()))
    body = f"420115{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + mod11_2_check_char(body)


def random_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


# -- intake ---------------------------------------------------------------------------


def make_station(root: Path) -> StationService:
    home = StationHome(root / "village")
    init_station(home, "420115102203", ROOT / "stations.toml")
    service = StationService(home, clock=lambda: datetime.now(CHINA_TZ))
    service.add_agent("A01", "王小丽", "agent", "1234")
    return service


def intake_once(service: StationService, operator, fields: dict[str, str], png: Path, rng: random.Random) -> None:
    request = IntakeRequest(ITEM, random_id(rng), random_name(rng), "13812345678", fields,
                            ["id_and_hukou", "application_form"], ["bank_card_copy"])
    case_no = service.intake(operator, request)["case_no"]
    view = case_view(service.case(case_no), service.topology, service.calendar, service.today().isoformat(),
                     service.tracking_url(case_no))
    render_png(receipt_data(view, 10, operator.name, service.topology.cityhall.name), png)


def bare_durable_insert(path: Path) -> Callable[[], None]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    payload = "x" * 1200

    def insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", [payload])
        conn.execute("COMMIT")
    return insert


def bench_intake(root: Path, repeat: int) -> None:
    service = make_station(root)
    operator = service.sign_in("A01", "1234")
    fields = {f.key: f.example for f in builtin_catalogue().get(ITEM).fields if f.required}
    rng = random.Random(7)
    intake_once(service, operator, fields, root / "warm.png", rng)  # fonts and imports load once
    ours = timed(lambda: intake_once(service, operator, fields, root / "r.png", rng), repeat)
    base = timed(bare_durable_insert(root / "bare.db"), repeat)
    report("intake → durable case + receipt PNG", ours, base, budget_ms=30)
    service.close()


# -- citizen lookup --------------------------------------------------------------------


def fill_citizens(service: StationService, count: int, rng: random.Random) -> list[tuple[str, str]]:
    people = [(random_id(rng), random_name(rng)) for _ in range(count)]
    keys_by_name: dict[str, set[str]] = {}
    conn = service.store.db.conn
    with service.store.write():
        conn.executemany("INSERT OR IGNORE INTO citizens (id_number, name, phone, updated_at) VALUES (?, ?, NULL, '')",
                         people)
        rows = ((key, id_number) for id_number, name in people
                for key in keys_by_name.setdefault(name, name_keys(name)))
        conn.executemany("INSERT OR IGNORE INTO citizen_keys (key, id_number) VALUES (?, ?)", rows)
    return people


def bare_lookup_table(path: Path, people: list[tuple[str, str]]) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE p (id TEXT PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT OR IGNORE INTO p VALUES (?, ?)", people)
    conn.commit()
    return conn


def bench_lookup(root: Path, count: int, repeat: int) -> None:
    service = make_station(root / "lookup")
    rng = random.Random(11)
    started = time.perf_counter()
    people = fill_citizens(service, count, rng)
    print(f"  ({count:,} citizens registered in {time.perf_counter() - started:.1f} s)")
    bare = bare_lookup_table(root / "bare_lookup.db", people)
    probes = [rng.choice(people) for _ in range(repeat)]
    ids = iter([p[0] for p in probes] * 2)
    initials = iter([min(name_keys(p[1]), key=len) for p in probes])
    ours_id = timed(lambda: service.store.search_citizens(next(ids), limit=20), repeat)
    base_id = timed(lambda: bare.execute("SELECT * FROM p WHERE id = ?", [next(ids)]).fetchall(), repeat)
    report("citizen lookup by ID number", ours_id, base_id, budget_ms=1)
    ours_pinyin = timed(lambda: service.store.search_citizens(next(initials), limit=20), repeat)
    report("citizen lookup by pinyin initials", ours_pinyin, base_id, budget_ms=5)
    service.close()


def report(label: str, ours: list[float], base: list[float], budget_ms: float) -> None:
    ours_ms, base_ms = median_ms(ours), median_ms(base)
    verdict = "within budget" if ours_ms <= budget_ms else "OVER BUDGET"
    print(f"{label}: median {ours_ms:.3f} ms (p90 {statistics.quantiles(ours, n=10)[-1] * 1000:.3f} ms); "
          f"bare-SQLite baseline {base_ms:.3f} ms; ratio {ours_ms / base_ms:.1f}x; "
          f"budget {budget_ms} ms: {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--intakes", type=int, default=300)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        bench_intake(Path(tmp), args.intakes)
        bench_lookup(Path(tmp), args.citizens, args.lookups)


if __name__ == "__main__":
    main()
