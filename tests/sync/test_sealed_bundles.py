"""Bundles version 2: sealed to their recipients, signed over the ciphertext, every damage refused or named."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from station.enckey import ENCRYPTION_KEY_META, PUBLIC_FILE, encryption_public, known_keys, save_known_keys
from station.errors import BadInput
from station.home import StationHome
from station.keyseal import public_text
from station.lockbox import Credentials
from station.service import StationService
from sync.bundle import BundleError, BundleFile, read_bundle, write_bundle
from sync.carry import export_bundle, import_bundle
from sync.sealed_bundle import MAGIC2, NotARecipient, Recipient, without_files, write_sealed_bundle
from tests.support.demo import COUNTY, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.support.events import sample_events
from tests.support.hub import file_case, make_station, topology_for
from tests.support.keys import introduce

CREATED = "2026-11-22T10:00:00+08:00"
NAME, ID_NUMBER, PHONE = "曾𠮷", "420115194503150024", "13812345678"


def _keys() -> dict[str, X25519PrivateKey]:
    return {"hub": X25519PrivateKey.generate(), TOWNSHIP: X25519PrivateKey.generate()}


def _to(keys: dict[str, X25519PrivateKey]) -> list[Recipient]:
    return [Recipient(name, public_text(key.public_key())) for name, key in keys.items()]


def _file(data: bytes, name: str) -> tuple[BundleFile, bytes]:
    return BundleFile(hashlib.sha256(data).hexdigest(), len(data), "image/jpeg", name, "4201151022032026112200015"), data


def test_only_a_recipient_opens_it_and_the_relayed_copy_verifies_without_its_files() -> None:
    signer, keys, events = Ed25519PrivateKey.generate(), _keys(), sample_events(3)
    files = [_file(b"\xff\xd8\xff" + b"a" * 1_500_000, "户口本.jpg"), _file(b"%PDF-1.4 " + b"b" * 3000, "委托书.pdf")]
    data = write_sealed_bundle(signer, VILLAGE, events, CREATED, _to(keys), files=files)
    assert data.startswith(MAGIC2)
    for name, key in keys.items():
        bundle = read_bundle(data, keys={name: key})
        assert bundle.events == events and bundle.recipients == list(keys)
        assert {sha: bytes(view) for sha, view in bundle.contents.items()} == {f.sha256: d for f, d in files}
    with pytest.raises(NotARecipient) as refused:
        read_bundle(data, keys={VILLAGE_2: X25519PrivateKey.generate()})
    assert refused.value.recipients == ["hub", TOWNSHIP]
    with pytest.raises(NotARecipient):  # a key under a recipient's name that is not its key
        read_bundle(data, keys={TOWNSHIP: X25519PrivateKey.generate()})

    relayed = read_bundle(data, keys={"hub": keys["hub"]}).relayable
    assert relayed == without_files(data) and len(relayed) < len(data) - 1_500_000
    again = read_bundle(relayed, keys={TOWNSHIP: keys[TOWNSHIP]})
    assert again.events == events and again.contents == {} and len(again.files_left_behind) == 2


def test_no_name_id_phone_file_name_or_scan_is_readable_in_its_bytes() -> None:
    base = sample_events(1)[0]
    event = base.replace(data={**base.data, "applicant": {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}})
    scan = b"\xff\xd8\xff" + f"{NAME}{ID_NUMBER}{PHONE}".encode() * 50
    data = write_sealed_bundle(Ed25519PrivateKey.generate(), VILLAGE, [event], CREATED, _to(_keys()),
                               files=[_file(scan, f"{NAME}户口本.jpg")])
    plain = write_bundle(Ed25519PrivateKey.generate(), VILLAGE, [event], CREATED, files=[_file(scan, f"{NAME}户口本.jpg")])
    assert NAME.encode() in plain  # a version-1 bundle has them in the clear: the test looks where they would be
    for secret in (NAME.encode(), NAME.encode("utf-16-le"), ID_NUMBER.encode(), PHONE.encode(), "户口本".encode(),
                   scan[:32], scan[-32:]):
        assert secret not in data


def test_a_bit_flipped_anywhere_is_refused_and_a_damaged_file_is_named() -> None:
    signer, keys = Ed25519PrivateKey.generate(), _keys()
    files = [_file(b"\xff\xd8\xff" + bytes(range(256)) * 5000, "户口本.jpg"), _file(b"%PDF" + b"z" * (1 << 21), "申请表.pdf")]
    data = write_sealed_bundle(signer, VILLAGE, sample_events(2), CREATED, _to(keys), files=files)
    opener = {"hub": keys["hub"]}
    for position in range(0, len(data), max(1, len(data) // 151)):
        flipped = bytearray(data)
        flipped[position] ^= 0x10
        with pytest.raises((BundleError, NotARecipient)):
            read_bundle(bytes(flipped), keys=opener)
    damaged = bytearray(data)
    damaged[-10] ^= 0x01  # the closing record's tag: the section does not end as the origin wrote it
    with pytest.raises(BundleError):
        read_bundle(bytes(damaged), keys=opener)
    first_file = bytearray(data)
    first_file[len(without_files(data)) + 24 + 4 + 1000] ^= 0x01  # inside the first record: the scan only
    with pytest.raises(BundleError) as refused:
        read_bundle(bytes(first_file), keys=opener)
    assert len(refused.value.problems) == 1 and "户口本.jpg" in refused.value.problems[0]
    with pytest.raises(BundleError, match="附件部分不完整"):
        read_bundle(data[:-1], keys=opener)


def test_a_re_signed_header_cannot_add_a_recipient() -> None:
    """Changing who it is sealed to breaks the signature: a passer-by cannot add itself."""
    signer, keys = Ed25519PrivateKey.generate(), _keys()
    data = write_sealed_bundle(signer, VILLAGE, sample_events(1), CREATED, _to(keys))
    line_end = data.index(b"\n", len(MAGIC2))
    header = json.loads(data[len(MAGIC2):line_end])
    header["recipients"] = header["recipients"][:1]
    forged = MAGIC2 + json.dumps(header, separators=(",", ":")).encode() + data[line_end:]
    with pytest.raises(BundleError, match="签名无效"):
        read_bundle(forged, keys={"hub": keys["hub"]})


def test_a_version_1_bundle_still_reads_with_or_without_keys() -> None:
    signer, events = Ed25519PrivateKey.generate(), sample_events(2)
    data = write_bundle(signer, VILLAGE, events, CREATED)
    assert read_bundle(data).events == events and read_bundle(data, keys=_keys()).events == events


# -- the station side ----------------------------------------------------------------------

def test_export_names_every_station_whose_key_is_unknown_and_writes_nothing(tmp_path: Path) -> None:
    config = topology_for(tmp_path, 9)
    village, agent, _ = make_station(tmp_path, VILLAGE, config)
    file_case(village, agent)
    stick = tmp_path / "stick.bundle"
    with pytest.raises(BadInput, match="请先联网同步一次"):
        export_bundle(village, stick)
    with village.store.write():
        save_known_keys(village.store, {"hub": public_text(X25519PrivateKey.generate().public_key()),
                                        "stations": {TOWNSHIP: None, COUNTY: None, VILLAGE_2: "ignored"}})
    with pytest.raises(BadInput) as refused:
        export_bundle(village, stick)
    assert len(refused.value.problems) == 2
    assert "乡镇站" in refused.value.problems[0] and TOWNSHIP in refused.value.problems[0]
    assert "还没有公布加密公钥" in refused.value.problems[0] and COUNTY in refused.value.problems[1]
    assert list(tmp_path.glob("stick.bundle*")) == []
    village.close()


def test_a_station_below_sees_a_stick_from_above_only_for_its_own_cases(tmp_path: Path) -> None:
    config = topology_for(tmp_path, 9)
    village, agent, _ = make_station(tmp_path, VILLAGE, config)
    township, _, _ = make_station(tmp_path, TOWNSHIP, config, role="approver", agent="T01")
    neighbour, _, _ = make_station(tmp_path, VILLAGE_2, config, agent="A02")
    introduce(village, township, neighbour)
    up, down = tmp_path / "up.bundle", tmp_path / "down.bundle"
    file_case(village, agent)
    assert set(export_bundle(village, up)["sealed_to"]) == {"hub", VILLAGE, TOWNSHIP}
    import_bundle(township, up)
    assert set(export_bundle(township, down, VILLAGE)["sealed_to"]) == {"hub", TOWNSHIP, VILLAGE}
    with pytest.raises(BadInput, match="不在其中，什么也没有导入"):
        import_bundle(neighbour, down)
    assert import_bundle(village, down)["events"] >= 2
    for service in (village, township, neighbour):
        service.close()


def test_a_home_made_before_gets_its_encryption_key_at_its_first_unlock(tmp_path: Path) -> None:
    config = topology_for(tmp_path, 9)
    village, _, _ = make_station(tmp_path, VILLAGE, config)
    before = encryption_public(village.home.root)
    with village.store.write() as db:  # as an older version left it: no key pair
        db.execute("DELETE FROM meta WHERE key = ?", [ENCRYPTION_KEY_META])
    (village.home.root / PUBLIC_FILE).unlink()
    village.close()
    assert StationService(StationHome(village.home.root)).home.root.is_dir()  # opening alone makes nothing
    assert not (village.home.root / PUBLIC_FILE).exists()
    reopened = StationService(StationHome(village.home.root), credentials=Credentials(pin="1234"))
    assert known_keys(reopened.store).heard is False  # unlocks
    after = encryption_public(reopened.home.root)
    assert after and after != before and reopened.store.get_meta(ENCRYPTION_KEY_META)
    assert reopened.store.get_meta(ENCRYPTION_KEY_META).encode() not in b"".join(  # type: ignore[union-attr]
        p.read_bytes() for p in reopened.home.root.rglob("*") if p.is_file())
    reopened.close()
