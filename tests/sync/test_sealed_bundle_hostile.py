"""Attacks on sealed bundles found in review, each written as a test first.

- A stick larger than the limit: refused before a byte of it is read; an export never writes one.
- A stick anyone can write (its signing key is its own) whose recipient seals hold a number
  or a list where text belongs: refused as a bundle, never an internal error (a 500 at the hub).
- A station that publishes a key no secret can be sealed to (32 zero bytes, a low-order
  point): the hub refuses it; a station told such a key keeps none, so its export names
  the station instead of failing half way.
- A revoked (stolen) PC: its encryption key is no longer handed to its relatives, so no
  new stick is sealed to the thief.
"""
from __future__ import annotations

import base64
import hashlib
import json
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from cityhall.bundles import check_encryption_key, publish_station_key, station_keys_for
from cityhall.db import make_engine, migrate
from cityhall.revocation import revoke_station
from cityhall.store import HubStore
from station.enckey import known_keys, save_known_keys
from station.keys import public_key_text
from station.keyseal import open_seal, public_text
from station.topology import Topology
from station.attachments import AUTHORISATION, attach_files
from station.errors import BadInput, NotAllowed
from sync import carry
from sync.bundle import BundleError, read_bundle
from sync.carry import MAX_STICK_BYTES, export_bundle, import_bundle
from sync.sealed_bundle import MAGIC2, NotARecipient, Recipient, _signed_text, write_sealed_bundle
from sync.signing import sign_bytes
from tests.support.demo import DEMO_TOPOLOGY_FILE, TOWNSHIP, VILLAGE
from tests.attachments.scans import tiny_pdf
from tests.support.events import sample_events
from tests.support.hub import file_case, make_station, topology_for
from tests.support.keys import introduce

LOW_ORDER = base64.urlsafe_b64encode(bytes(32)).decode().rstrip("=")


def _resigned_with_seal_field(field: str, value: object) -> tuple[bytes, X25519PrivateKey]:
    """A bundle sealed to one township key, its seal's ``field`` replaced, signed again by its own key."""
    township = X25519PrivateKey.generate()
    signer = Ed25519PrivateKey.generate()
    data = write_sealed_bundle(signer, VILLAGE, sample_events(2), "2026-11-22T10:00:00+08:00",
                               [Recipient(TOWNSHIP, public_text(township.public_key()))])
    end = data.index(b"\n", len(MAGIC2))
    header = json.loads(data[len(MAGIC2):end])
    header["recipients"][0][field] = value
    line = json.dumps(header, separators=(",", ":")).encode()
    payload = data[end + 1:end + 1 + header["payload_bytes"]]
    digest = hashlib.sha256(payload).hexdigest()
    trailer = json.dumps({"payload_sha256": digest, "signature": sign_bytes(signer, _signed_text(line, digest))})
    return MAGIC2 + line + b"\n" + payload + trailer.encode() + b"\n", township


@pytest.mark.parametrize(("field", "value"), [("nonce", 0), ("sealed", []), ("ephemeral", {"x": 1}),
                                              ("recipient", None), ("nonce", "not base64!")])
def test_a_seal_with_a_value_of_the_wrong_kind_is_refused_not_a_crash(field: str, value: object) -> None:
    data, township = _resigned_with_seal_field(field, value)
    with pytest.raises((BundleError, NotARecipient)):  # what import and relay answer cleanly (exit 2, 400)
        read_bundle(data, keys={TOWNSHIP: township})
    assert open_seal({"recipient": 1, "ephemeral": [], "nonce": 0, "sealed": None}, township, b"x") is None
    assert open_seal([], township, b"x") is None  # type: ignore[arg-type]


def test_a_key_nothing_can_be_sealed_to_is_refused_by_the_hub_and_kept_as_none_by_a_station(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="加密公钥"):
        check_encryption_key(LOW_ORDER)
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    migrate(engine)
    store = HubStore(engine, Topology.load(DEMO_TOPOLOGY_FILE))
    store.enroll(VILLAGE, public_key_text(Ed25519PrivateKey.generate()))
    assert publish_station_key(engine, VILLAGE, LOW_ORDER) is False
    assert station_keys_for(store, TOWNSHIP)["stations"][VILLAGE] is None

    class _Meta:  # the one store call save_known_keys makes
        def __init__(self) -> None:
            self.meta: dict[str, str] = {}

        def set_meta(self, key: str, value: str) -> None:
            self.meta[key] = value

    good = public_text(X25519PrivateKey.generate().public_key())
    kept = save_known_keys(_Meta(), {"hub": good, "stations": {VILLAGE: LOW_ORDER, TOWNSHIP: good}})  # type: ignore[arg-type]
    assert kept.hub == good and kept.stations == {VILLAGE: None, TOWNSHIP: good}
    engine.dispose()


def test_a_revoked_station_is_no_longer_handed_out_as_a_recipient() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'hub.db'}")
        migrate(engine)
        store = HubStore(engine, Topology.load(DEMO_TOPOLOGY_FILE))
        for code in (TOWNSHIP, VILLAGE):
            store.enroll(code, public_key_text(Ed25519PrivateKey.generate()))
        stolen = public_text(X25519PrivateKey.generate().public_key())
        assert publish_station_key(engine, VILLAGE, stolen)
        assert station_keys_for(store, TOWNSHIP)["stations"][VILLAGE] == stolen
        revoke_station(engine, VILLAGE, "PC stolen")
        assert VILLAGE not in station_keys_for(store, TOWNSHIP)["stations"]
        store.enroll(VILLAGE, public_key_text(Ed25519PrivateKey.generate()))  # the replacement PC
        assert station_keys_for(store, TOWNSHIP)["stations"].get(VILLAGE) is None  # until it publishes its own
        engine.dispose()


def test_a_stick_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    service, _, _ = make_station(tmp_path, VILLAGE, topology_for(tmp_path, 1))
    huge = tmp_path / "huge.bundle"
    with huge.open("wb") as sparse:  # a sparse file: it takes no disk, and must not be read into memory
        sparse.truncate(MAX_STICK_BYTES + 1)
    with pytest.raises(BadInput, match="超过数据包的上限"):
        import_bundle(service, huge)
    assert service.store.event_count() == 0
    service.close()


def test_an_export_leaves_out_the_files_that_would_pass_the_limit_and_names_them(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(carry, "MAX_STICK_BYTES", carry._ROOM_FOR_EVENTS + 1000)
    service, operator, _ = make_station(tmp_path, VILLAGE, topology_for(tmp_path, 1))
    case_no = file_case(service, operator)
    scan = tmp_path / "委托书.pdf"
    scan.write_bytes(tiny_pdf("x" * 3000))
    attach_files(service, operator, case_no, AUTHORISATION, [scan])
    files, left_out = carry._files_to_carry(service)
    assert files == [] and len(left_out) == 1 and "数据包已满" in left_out[0]
    service.close()


def test_a_stick_signed_by_a_key_that_is_not_the_origins_is_refused_and_nothing_applied(tmp_path: Path) -> None:
    """Anyone can make a key and write "from village 203" in a stick sealed to the township (its key
    is public). The township must hold the village's enrolled signing key and refuse the stick,
    not show a forged case on its board until the city hall refuses the relayed copy."""
    config = topology_for(tmp_path, 9)
    village, _, _ = make_station(tmp_path, VILLAGE, config)
    township, _, _ = make_station(tmp_path, TOWNSHIP, config, role="approver", agent="T01")
    introduce(village, township)
    impostor, impostor_agent, _ = make_station(tmp_path / "elsewhere", VILLAGE, config)
    with impostor.store.write():
        save_known_keys(impostor.store, known_keys(village.store).to_json())  # seals to the real township
    file_case(impostor, impostor_agent)
    stick = tmp_path / "forged.ssb"
    export_bundle(impostor, stick)

    with pytest.raises(NotAllowed, match=f"不是 {VILLAGE} 在市政务服务中心登记的签名密钥"):
        import_bundle(township, stick)
    assert township.store.case_count() == 0 and not list((township.home.root / "relay").glob("*"))
    for service in (village, township, impostor):
        service.close()


def test_a_stick_from_a_station_whose_signing_key_is_not_known_here_is_refused(tmp_path: Path) -> None:
    config = topology_for(tmp_path, 9)
    village, agent, _ = make_station(tmp_path, VILLAGE, config)
    township, _, _ = make_station(tmp_path, TOWNSHIP, config, role="approver", agent="T01")
    introduce(village, township)
    with township.store.write():  # as a township that heard of no signing keys yet (an older city hall)
        save_known_keys(township.store, known_keys(township.store).to_json() | {"signing": {}})
    file_case(village, agent)
    export_bundle(village, tmp_path / "up.ssb")

    with pytest.raises(NotAllowed, match="请先联网同步一次"):
        import_bundle(township, tmp_path / "up.ssb")
    assert township.store.case_count() == 0
    for service in (village, township):
        service.close()


@pytest.mark.parametrize("magic", [b"SSBUNDLE1\n", MAGIC2])
def test_a_header_holding_an_integer_of_5000_digits_is_refused_as_a_bundle(magic: bytes) -> None:
    """Python's JSON reader refuses such an integer with a plain ValueError, not a decode error: it must
    still be a bundle that cannot be read (a clear refusal), never an internal error."""
    header = b'{"station": "420115102203", "created_at": ' + b"9" * 5000 + b"}"
    with pytest.raises(BundleError):
        read_bundle(magic + header + b"\n" + b"x" * 64)
