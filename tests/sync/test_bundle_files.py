"""Bundles that carry attachment files: format, integrity, and the USB-stick path end to end.

A village with no link attaches scans; a stick takes the case and its files to the township,
which opens them offline and relays both to a real city hall on loopback; a stick can go a
second hop (township → county) first. Bytes are compared, never just counts.
"""
from __future__ import annotations

import base64
import errno
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from station.attachments import AUTHORISATION, BlobFiles, attach_files, blob_files, list_attachments, records
from station.errors import BadInput
from station.keys import public_key_text
from station.service import Operator, StationService
from sync.bundle import MAGIC, BundleError, BundleFile, read_bundle, write_bundle
from sync.carry import export_bundle, import_bundle
from sync.client import SyncClient, relay_dir
from sync.recipients import opening_keys
from sync.files import AdaptiveChunk, FileTransfer
from sync.signing import sign_bytes
from sync.wire import encode_batch
from tests.attachments.scans import a4_scan, tiny_pdf
from tests.support.demo import COUNTY, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.events import sample_events
from tests.support.hub import exchange_keys, file_case, free_port, in_process_hub, make_station, topology_for

CREATED = "2026-11-22T10:00:00+08:00"


def _file(data: bytes, name: str, media_type: str = "image/jpeg") -> tuple[BundleFile, bytes]:
    return BundleFile(hashlib.sha256(data).hexdigest(), len(data), media_type, name, "4201151022032026112200015"), data


def _legacy_bundle(key: Ed25519PrivateKey, station: str, events: list, carried: list[bytes] = ()) -> bytes:  # type: ignore[assignment]
    """A bundle as the writer made them before files travelled (header without files)."""
    payload = encode_batch(events, carried=[base64.b64encode(c).decode("ascii") for c in carried])
    header = {"station": station, "created_at": CREATED, "public_key": public_key_text(key),
              "sha256": hashlib.sha256(payload).hexdigest(), "events": len(events)}
    signed = b"bundle\n" + json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    header["signature"] = sign_bytes(key, signed)
    return MAGIC + json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + payload


# -- the format ---------------------------------------------------------------------------

def test_files_ride_raw_after_the_batch_and_come_back_verified() -> None:
    key, events = Ed25519PrivateKey.generate(), sample_events(3)
    files = [_file(a4_scan(1, size=(400, 560)), "户口本.jpg"), _file(tiny_pdf(), "委托书𠮷.pdf", "application/pdf")]
    data = write_bundle(key, VILLAGE, events, CREATED, files=files)
    assert data.endswith(files[0][1] + files[1][1])  # raw bytes: no base64, no JSON around them
    bundle = read_bundle(data)
    assert bundle.events == events and [f for f, _ in files] == bundle.files
    assert bundle.contents == {f.sha256: d for f, d in files}
    overhead = len(data) - sum(len(d) for _, d in files) - len(read_bundle(write_bundle(key, VILLAGE, events, CREATED)).raw)
    assert overhead < 400 * len(files), overhead

    relayed = read_bundle(bundle.relayable)  # the files left behind: the events still verify on their own
    assert relayed.events == events and relayed.files == bundle.files and relayed.contents == {}
    assert len(bundle.relayable) == len(data) - sum(len(d) for _, d in files)


def test_a_bundle_without_files_is_the_older_format_byte_for_byte() -> None:
    key, events = Ed25519PrivateKey.generate(), sample_events(4)
    inner = _legacy_bundle(key, VILLAGE_2, events[:1])
    assert write_bundle(key, VILLAGE, events, CREATED, [inner]) == _legacy_bundle(key, VILLAGE, events, [inner])
    bundle = read_bundle(_legacy_bundle(key, VILLAGE, events, [inner]))
    assert bundle.events == events and bundle.carried == [inner] and bundle.files == [] and bundle.contents == {}


def test_every_damaged_file_is_named_and_a_short_file_section_refused() -> None:
    key = Ed25519PrivateKey.generate()
    files = [_file(b"\xff\xd8\xff" + bytes(range(256)) * 40, "户口本.jpg"), _file(b"%PDF-1.4 x" * 300, "申请表.pdf"),
             _file(b"\xff\xd8\xff" + b"z" * 5000, "委托书.jpg")]
    data = write_bundle(key, VILLAGE, sample_events(2), CREATED, files=files)
    damaged = bytearray(data)
    end = len(data) - len(files[2][1])
    damaged[end - len(files[1][1]) - 100] ^= 0x01  # inside the first file
    damaged[end + 10] ^= 0x01  # inside the third
    with pytest.raises(BundleError) as refused:
        read_bundle(bytes(damaged))
    assert len(refused.value.problems) == 2
    assert "户口本.jpg" in refused.value.problems[0] and "委托书.jpg" in refused.value.problems[1]
    assert "申请表.pdf" not in str(refused.value)
    with pytest.raises(BundleError, match="附件部分不完整"):
        read_bundle(data[:-1])
    for position in range(len(MAGIC), len(data), max(1, len(data) // 97)):  # one flipped bit anywhere
        flipped = bytearray(data)
        flipped[position] ^= 0x10
        with pytest.raises(BundleError):
            read_bundle(bytes(flipped))


# -- the USB-stick path, end to end ----------------------------------------------------------

@dataclass
class Site:
    service: StationService
    operator: Operator


@dataclass
class County:
    url: str
    app: object
    sites: dict[str, Site]

    def hub_bytes(self, sha256: str) -> bytes:
        return b"".join(self.app.state.files.storage.read(sha256))  # type: ignore[attr-defined]

    def hub_has(self, sha256: str) -> bool:
        return self.app.state.files.stored_size(sha256) is not None  # type: ignore[attr-defined]


@pytest.fixture
def county(tmp_path: Path) -> Iterator[County]:
    port = free_port()
    config = topology_for(tmp_path, port)
    roles = {VILLAGE: "agent", VILLAGE_2: "agent", TOWNSHIP: "approver", COUNTY: "approver"}
    with in_process_hub(tmp_path, config, port) as app:
        sites = {}
        for code, role in roles.items():
            service, operator, key = make_station(tmp_path, code, config, role=role)
            app.state.store.enroll(code, key)  # type: ignore[attr-defined]
            sites[code] = Site(service, operator)
        exchange_keys(f"http://127.0.0.1:{port}", *(site.service for site in sites.values()))
        yield County(f"http://127.0.0.1:{port}", app, sites)
        for site in sites.values():
            site.service.close()


def _attach_scans(site: Site, tmp_path: Path) -> tuple[str, list]:
    case_no = file_case(site.service, site.operator)
    scan, pdf = tmp_path / "户口本.jpg", tmp_path / "委托书.pdf"
    scan.write_bytes(a4_scan(7, size=(1240, 1754)))
    pdf.write_bytes(tiny_pdf("wei tuo shu 2026"))
    attached = [*attach_files(site.service, site.operator, case_no, "id_and_hukou", [scan]),
                *attach_files(site.service, site.operator, case_no, AUTHORISATION, [pdf])]
    return case_no, attached


def _wire_bytes(site: Site, sha256: str) -> bytes:
    return blob_files(site.service).read(sha256)


def _relay_and_upload(site: Site, url: str) -> tuple[int, int]:
    with SyncClient(site.service, url, give_up_after=5.0) as client:
        relayed = client.sync_once().relayed_bundles
    with FileTransfer(site.service, url, give_up_after=5.0) as transfer:
        return relayed, transfer.upload_pending().uploaded


def test_a_stick_carries_the_files_the_township_opens_them_offline_and_relays_them(
        county: County, tmp_path: Path) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no, attached = _attach_scans(village, tmp_path)
    stick = tmp_path / "stick.bundle"
    exported = export_bundle(village.service, stick)
    wire_total = sum(a.size for a in attached)
    assert (exported["files"], exported["file_bytes"], exported["files_left_out"]) == (2, wire_total, [])
    print(f"bundle with 2 files ({wire_total} B of files): {exported['bytes']} B on the stick")

    imported = import_bundle(township.service, stick)
    assert (imported["files"], imported["file_bytes"], imported["will_relay"]) == (2, wire_total, True)
    rows = list_attachments(township.service, case_no)  # offline: the township has no link yet
    assert [Path(r["path"]).read_bytes() for r in rows] == [_wire_bytes(village, a.sha256) for a in attached]
    assert Path(rows[1]["path"]).read_bytes() == (tmp_path / "委托书.pdf").read_bytes()
    [kept_for_relay] = relay_dir(township.service).iterdir()
    kept = kept_for_relay.read_bytes()  # the events only (sealed as they came): files go by upload
    assert stick.read_bytes().startswith(kept) and len(kept) < exported["bytes"] - wire_total

    with FileTransfer(township.service, county.url, give_up_after=5.0) as transfer:
        early = transfer.upload_pending()  # before the bundle went up: the files wait for their events
    assert (early.uploaded, early.waiting_for_events) == (0, 2) and not county.hub_has(attached[0].sha256)
    assert _relay_and_upload(township, county.url) == (1, 2)
    for sent in attached:
        assert county.hub_bytes(sent.sha256) == _wire_bytes(village, sent.sha256)

    with SyncClient(village.service, county.url, give_up_after=5.0) as client:
        assert client.sync_once().duplicates == exported["own_events"]
    with FileTransfer(village.service, county.url, give_up_after=5.0) as transfer:
        late = transfer.upload_pending()  # the village's link came back: nothing left to send
    assert (late.uploaded, late.bytes_sent, late.pending) == (2, 0, 0)


def test_two_hops_village_township_county_and_the_files_still_arrive(county: County, tmp_path: Path) -> None:
    village, township, top = county.sites[VILLAGE], county.sites[TOWNSHIP], county.sites[COUNTY]
    case_no, attached = _attach_scans(village, tmp_path)
    first, second = tmp_path / "first.bundle", tmp_path / "second.bundle"
    export_bundle(village.service, first)
    import_bundle(township.service, first)
    assert export_bundle(township.service, second)["files"] == 2  # carried files ride in the township's bundle
    assert import_bundle(top.service, second)["files"] == 2
    assert all(r["path"] for r in list_attachments(top.service, case_no))
    assert _relay_and_upload(top, county.url) == (1, 2)
    for sent in attached:
        assert county.hub_bytes(sent.sha256) == _wire_bytes(village, sent.sha256)


def test_a_stick_going_down_leaves_no_files_of_other_villages(county: County, tmp_path: Path) -> None:
    village, township, neighbour = county.sites[VILLAGE], county.sites[TOWNSHIP], county.sites[VILLAGE_2]
    _attach_scans(village, tmp_path)
    up, down = tmp_path / "up.bundle", tmp_path / "down.bundle"
    export_bundle(village.service, up)
    import_bundle(township.service, up)
    assert export_bundle(township.service, down, for_station=VILLAGE)["files"] == 2
    with pytest.raises(BadInput, match="不在其中，什么也没有导入"):  # sealed to the township's own village only
        import_bundle(neighbour.service, down)
    assert not any(p.is_file() for p in blob_files(neighbour.service).root.rglob("*"))


def test_a_bundle_with_a_damaged_file_is_refused_whole_naming_the_file(county: County, tmp_path: Path) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no, attached = _attach_scans(village, tmp_path)
    stick = tmp_path / "stick.bundle"
    export_bundle(village.service, stick)
    data = bytearray(stick.read_bytes())
    data[-attached[1].size - 500] ^= 0x01  # inside the scan, the first file on the stick
    stick.write_bytes(bytes(data))
    with pytest.raises(BadInput) as refused:
        import_bundle(township.service, stick)
    assert any("户口本.jpg" in p and "损坏" in p for p in refused.value.problems), refused.value.problems
    assert township.service.store.case_events(case_no) == []
    assert not blob_files(township.service).has(attached[0].sha256)
    assert not blob_files(township.service).has(attached[1].sha256)
    assert not relay_dir(township.service).exists() or not any(relay_dir(township.service).iterdir())


def test_an_older_bundle_without_files_still_imports_and_relays(county: County, tmp_path: Path) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no = file_case(village.service, village.operator)
    events = village.service.store.pending_events(100)
    stick = tmp_path / "old.bundle"
    stick.write_bytes(_legacy_bundle(village.service.signing_key(), VILLAGE, events))
    result = import_bundle(township.service, stick)
    assert (result["applied"], result["files"], result["will_relay"]) == (2, 0, True)
    assert _relay_and_upload(township, county.url) == (1, 0)
    assert county.app.state.store.event_total() == 2  # type: ignore[attr-defined]
    assert township.service.case(case_no).status == "submitted"


def test_a_file_damaged_at_the_village_stays_off_the_stick_named_and_the_rest_travels(
        county: County, tmp_path: Path) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no, [scan, pdf] = _attach_scans(village, tmp_path)
    on_disk = blob_files(village.service).path(scan.sha256)
    on_disk.write_bytes(on_disk.read_bytes()[:-1] + b"\x00")  # a bad sector, say
    stick = tmp_path / "stick.bundle"
    exported = export_bundle(village.service, stick)
    assert exported["files"] == 1 and len(exported["files_left_out"]) == 1
    assert "户口本.jpg" in exported["files_left_out"][0] and case_no in exported["files_left_out"][0]
    assert import_bundle(township.service, stick)["files"] == 1
    assert [r["path"] is not None for r in list_attachments(township.service, case_no)] == [False, True]
    assert blob_files(township.service).read(pdf.sha256) == (tmp_path / "委托书.pdf").read_bytes()


# -- files whose events went up over the link before the upload was cut ------------------------------

def _sync_events(site: Site, url: str) -> None:
    with SyncClient(site.service, url, give_up_after=5.0) as client:
        client.sync_once()


def _cut_upload(site: Site, url: str) -> None:
    """One chunk of the first file reaches the city hall, then the link drops. The chunk is smaller than
    either file: files attached in the same second go in the order of their hashes, so either may be first."""
    chunk = AdaptiveChunk(256, 256, 256)
    with FileTransfer(site.service, url, chunk=chunk, time_budget_s=1e-6) as transfer:
        report = transfer.upload_pending()
    assert (report.uploaded, report.pending, report.out_of_time) == (0, 2, True)


def test_files_whose_events_already_went_up_ride_with_their_events_and_reach_the_hub(
        county: County, tmp_path: Path) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no, attached = _attach_scans(village, tmp_path)
    _sync_events(village, county.url)
    _cut_upload(village, county.url)

    stick = tmp_path / "stick.bundle"
    exported = export_bundle(village.service, stick)
    assert (exported["own_events"], exported["files"]) == (0, 2)
    carried_kinds = [e.kind for e in read_bundle(stick.read_bytes(), keys=opening_keys(township.service)).events]
    assert carried_kinds.count("attached") == 2 and "received" in carried_kinds  # the case opens at the township

    imported = import_bundle(township.service, stick)  # the township never pulled this case
    assert (imported["files"], imported["files_dropped"], imported["will_relay"]) == (2, [], True)
    assert imported["applied"] == len(carried_kinds)
    rows = list_attachments(township.service, case_no)
    assert [Path(r["path"]).read_bytes() for r in rows] == [_wire_bytes(village, a.sha256) for a in attached]

    assert _relay_and_upload(township, county.url) == (1, 2)  # the hub answers the events as duplicates
    for sent in attached:
        assert county.hub_bytes(sent.sha256) == _wire_bytes(village, sent.sha256)


def test_a_township_holding_the_events_already_imports_the_stick_idempotently(county: County, tmp_path: Path) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no, attached = _attach_scans(village, tmp_path)
    _sync_events(village, county.url)
    _cut_upload(village, county.url)
    _sync_events(township, county.url)  # the township pulled the case and its attached events
    held = len(township.service.store.case_events(case_no))

    stick = tmp_path / "stick.bundle"
    export_bundle(village.service, stick)
    for _ in range(2):  # the same stick twice: nothing new the second time either
        imported = import_bundle(township.service, stick)
        assert (imported["applied"], imported["files"], imported["files_dropped"]) == (0, 2, [])
    assert len(township.service.store.case_events(case_no)) == held
    assert _relay_and_upload(township, county.url) == (1, 2)
    for sent in attached:
        assert county.hub_bytes(sent.sha256) == _wire_bytes(village, sent.sha256)


def test_a_bundle_listing_files_without_their_events_binds_them_to_events_held_here(
        county: County, tmp_path: Path) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no, attached = _attach_scans(village, tmp_path)
    _sync_events(village, county.url)
    files = [(BundleFile(a.sha256, a.size, "image/jpeg", a.name, case_no), _wire_bytes(village, a.sha256))
             for a in attached]
    stick = tmp_path / "files-only.bundle"  # as a station exported before the events rode with the files
    stick.write_bytes(write_bundle(village.service.signing_key(), VILLAGE, [], CREATED, files=files))

    unseen = import_bundle(township.service, stick)  # nothing here says whose files these are
    assert (unseen["files"], unseen["files_dropped"], unseen["files_for_other_stations"]) == (0, [], 2)
    assert not blob_files(township.service).has(attached[0].sha256)

    _sync_events(township, county.url)
    held = import_bundle(township.service, stick)
    assert (held["files"], held["files_dropped"]) == (2, [])
    assert [Path(r["path"]).read_bytes() for r in list_attachments(township.service, case_no)] == \
        [data for _, data in files]


def test_a_passing_station_cannot_put_a_file_under_a_village_name_and_the_drop_is_named(
        county: County, tmp_path: Path) -> None:
    village, township, top = county.sites[VILLAGE], county.sites[TOWNSHIP], county.sites[COUNTY]
    case_no, _ = _attach_scans(village, tmp_path)
    first, second = tmp_path / "first.bundle", tmp_path / "second.bundle"
    export_bundle(village.service, first)
    import_bundle(township.service, first)
    with SyncClient(township.service, county.url, give_up_after=5.0) as client:
        assert client.sync_once().relayed_bundles == 1  # the village's own signed copy is gone from the stick
    _cut_upload(township, county.url)

    assert export_bundle(township.service, second)["files"] == 2
    passed_on = import_bundle(top.service, second)  # the village's attached events, signed by the township only
    assert passed_on["files"] == 0 and passed_on["applied"] > 0
    assert len(passed_on["files_dropped"]) == 2
    assert all(case_no in p and TOWNSHIP in p for p in passed_on["files_dropped"])
    assert "户口本.jpg" in passed_on["files_dropped"][0] or "户口本.jpg" in passed_on["files_dropped"][1]
    assert not any(p.is_file() for p in blob_files(top.service).root.rglob("*"))


def test_a_stick_whose_file_section_was_cut_off_names_the_missing_files(county: County, tmp_path: Path) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no, attached = _attach_scans(village, tmp_path)
    stick = tmp_path / "stick.bundle"
    exported = export_bundle(village.service, stick)
    keys = opening_keys(township.service)
    stick.write_bytes(read_bundle(stick.read_bytes(), keys=keys).relayable)
    assert len(stick.read_bytes()) < exported["bytes"] - exported["file_bytes"]
    left_behind = read_bundle(stick.read_bytes(), keys=keys).files_left_behind
    assert sorted(f.sha256 for f in left_behind) == sorted(a.sha256 for a in attached)  # in no promised order

    imported = import_bundle(township.service, stick)
    assert (imported["applied"], imported["files"]) == (exported["events"], 0)
    assert len(imported["files_dropped"]) == 2
    assert all("不在数据包里" in p and case_no in p for p in imported["files_dropped"])
    names = ("户口本.jpg", "委托书.pdf")
    assert sorted(name for name in names for p in imported["files_dropped"] if name in p) == sorted(names)  # one each


def test_an_import_that_fails_half_way_leaves_no_file_and_no_record(
        county: County, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    village, township = county.sites[VILLAGE], county.sites[TOWNSHIP]
    case_no, attached = _attach_scans(village, tmp_path)
    stick = tmp_path / "stick.bundle"
    export_bundle(village.service, stick)
    real_put, calls = BlobFiles.put, []

    def disk_full_on_the_second(self: BlobFiles, data: bytes) -> str:
        calls.append(len(data))
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_put(self, data)

    monkeypatch.setattr(BlobFiles, "put", disk_full_on_the_second)
    with pytest.raises(OSError):
        import_bundle(township.service, stick)
    assert len(calls) == 2
    assert not any(p.is_file() for p in blob_files(township.service).root.rglob("*"))
    assert township.service.store.case_events(case_no) == []
    assert all(records.blob_row(township.service.store, a.sha256) is None for a in attached)

    monkeypatch.setattr(BlobFiles, "put", real_put)
    assert import_bundle(township.service, stick)["files"] == 2  # room again: the whole stick goes in


# -- hostile headers, re-signed so that only the checks of the list stand in the way ------------------

def _resigned(data: bytes, change: Callable[[dict[str, Any]], None], key: Ed25519PrivateKey) -> bytes:
    line_end = data.index(b"\n", len(MAGIC))
    header = json.loads(data[len(MAGIC):line_end])
    change(header)
    header.pop("signature")
    signed = b"bundle\n" + json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    header["signature"] = sign_bytes(key, signed)
    return MAGIC + json.dumps(header, ensure_ascii=False).encode("utf-8") + data[line_end:]


def _set_file(number: int, key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda header: header["files"][number].__setitem__(key, value)


@pytest.mark.parametrize(("change", "expected"), [
    (_set_file(0, "size", -5), "第 1 项有误（大小不是非负整数）"),
    (_set_file(1, "sha256", "Z" * 64), "第 2 项有误（SHA-256 无效）"),
    (lambda header: header["files"][1].pop("type"), "第 2 项有误（缺少 SHA-256、大小或类型）"),
    (_set_file(1, "name", ["户口本"]), "第 2 项有误（类型、名称或案件编号不是文字）"),
    (lambda header: header["files"].append(dict(header["files"][0])), "重复列出了案件 4201151022032026112200015 的附件“户口本.jpg”"),
    (lambda header: header.__setitem__("payload_bytes", 10**9), "记录部分被截断"),
    (lambda header: header.pop("payload_bytes"), "缺少记录部分的长度"),
    (lambda header: header.__setitem__("payload_bytes", -1), "缺少记录部分的长度"),
    (lambda header: header.__setitem__("payload_bytes", "12"), "缺少记录部分的长度"),
], ids=["negative-size", "bad-sha256", "missing-type", "name-not-text", "duplicate", "payload-past-the-end",
        "no-payload-bytes", "negative-payload-bytes", "payload-bytes-as-text"])
def test_a_re_signed_hostile_file_list_is_refused_in_plain_words(change: Callable[[dict[str, Any]], None],
                                                                 expected: str) -> None:
    key = Ed25519PrivateKey.generate()
    data = write_bundle(key, VILLAGE, sample_events(2), CREATED,
                        files=[_file(b"\xff\xd8\xff" + b"a" * 3000, "户口本.jpg"), _file(b"%PDF-1.4 b" * 90, "委托书.pdf")])
    with pytest.raises(BundleError) as refused:
        read_bundle(_resigned(data, change, key))
    message = str(refused.value)
    assert expected in message, message
    assert "Error" not in message and "__init__" not in message and "请重新导出" in message


def test_keys_a_later_writer_adds_to_a_listed_file_are_ignored() -> None:
    key = Ed25519PrivateKey.generate()
    files = [_file(b"\xff\xd8\xff" + b"a" * 3000, "户口本.jpg")]
    data = write_bundle(key, VILLAGE, sample_events(1), CREATED, files=files)
    later = _resigned(data, _set_file(0, "pages", 2), key)
    bundle = read_bundle(later)
    assert bundle.files == [files[0][0]] and bytes(bundle.contents[files[0][0].sha256]) == files[0][1]


def test_a_file_label_never_echoes_control_characters_to_the_terminal() -> None:
    listed = BundleFile("a" * 64, 1, "image/jpeg", "户口本\x1b[2J\r\n\u202egpj.exe", "4201\x07\x1b]0;x\x07")
    label = listed.label()
    assert "户口本" in label and "[2J" in label
    assert not any(c in label for c in "\x1b\r\n\u202e\x07")
