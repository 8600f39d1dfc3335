"""Round three: an attacker holding a valid station key goes after the hub's logic, not its parser.

Each test is one attack that worked against the hub (or a station behind it) before its
fix, sent over HTTP to the real ``cityhall serve`` process of ``conftest.py``.
"""
from __future__ import annotations

import hashlib
import json
import time

import httpx
import pytest

from station.ledger.hlc import format_hlc, parse_hlc
from sync.signing import sign_bytes, signing_text
from tests.attachments.scans import tiny_pdf

from .conftest import STAFF_PASSWORD, City, Site, add_staff, decided_case, staff_login
from .forge import PULL, PUSH, forged_event, hlc_after, reasons, statuses

FAR_FUTURE_HLC = "9999999999999.00000"


def _signed(site: Site, method: str, path: str, body: bytes = b"", *, timestamp: str | None = None,
            headers: dict[str, str] | None = None) -> httpx.Response:
    """``site``'s own key signs the request, with ``timestamp`` as the hub will read it (latin-1)."""
    stamp = timestamp if timestamp is not None else str(int(time.time()))
    signature = sign_bytes(site.signer.key, signing_text(method, path, stamp, body, site.code))
    sent = {"X-Station": site.code, "X-Timestamp": stamp.encode("latin-1"), "X-Signature": signature}
    return httpx.request(method, site.signer.url + path, content=body, headers=sent | (headers or {}), timeout=30)


def _attached_file(city: City, site: Site) -> dict:
    """A scan attached to a case of ``site`` and uploaded: its listing (sha256, size, ...)."""
    case_no = site.file(forward=True)
    scan = city.folder / f"scan-{case_no}.pdf"
    scan.write_bytes(tiny_pdf(f"scan of {case_no}"))
    attached = site.cli("attach", case_no, "id_and_hukou", str(scan), "--agent", "A01", "--json")
    assert attached.returncode == 0, attached.stderr
    assert site.cli("sync", "--json").returncode == 0
    return json.loads(site.cli("attachments", case_no, "--json").stdout)["attachments"][0]


# -- signatures ------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [("GET", f"{PULL}?after=0"), ("POST", PUSH)], ids=["pull", "push"])
def test_a_signed_timestamp_of_non_ascii_digits_is_a_401_not_a_500(hub_up: City, method: str, path: str) -> None:
    """``'¹'.isdigit()`` is true and ``int('¹')`` fails: the signature verified, then the hub fell over."""
    village = hub_up.village
    answer = _signed(village, method, path, timestamp=f"{int(time.time())}\u00b9")
    assert answer.status_code == 401, f"{answer.status_code}: {answer.text[:300]}"
    assert "X-Timestamp" in answer.json()["reason"]
    assert _signed(village, "GET", f"{PULL}?after=0").status_code == 200, "the honest form still works"


# -- files -----------------------------------------------------------------------------------

def test_range_headers_with_thousands_of_digits_are_a_4xx_not_a_500(hub_up: City) -> None:
    """Python refuses to read an integer of more than 4300 digits: the hub must refuse it first."""
    city, village = hub_up, hub_up.village
    listed = _attached_file(city, village)
    path, huge = f"/api/v1/files/{listed['sha256']}", "9" * 5000

    chunk = _signed(village, "PUT", path, b"x", headers={"Content-Range": f"bytes 0-0/{huge}"})
    assert chunk.status_code == 400, f"{chunk.status_code}: {chunk.text[:300]}"
    assert chunk.json()["error"] == "malformed_range"
    download = _signed(village, "GET", path, headers={"Range": f"bytes={huge}-"})
    assert (download.status_code, download.content) == (206, b""), "a start past the end, as for any such start"
    whole = _signed(village, "GET", path, headers={"Range": "bytes=0-"})
    assert (whole.status_code, len(whole.content)) == (206, listed["size"]), "an honest range still works"


# -- staff sessions --------------------------------------------------------------------------

def _digest_with(city: City, cookie: str) -> int:
    return httpx.get(city.url + "/staff/api/digest", headers={"Cookie": f"cityhall_staff={cookie}"},
                     timeout=30).status_code


def test_a_password_reset_ends_the_sessions_opened_with_the_old_password(hub_up: City) -> None:
    """``cityhall staff add`` again is how a leaked password is replaced: whoever logged in with it is out."""
    city = hub_up
    add_staff(city, "S31")
    stolen = staff_login(city, "S31", STAFF_PASSWORD).cookies["cityhall_staff"]
    assert _digest_with(city, stolen) == 200

    add_staff(city, "S31", "换了的新密码-2026")

    assert _digest_with(city, stolen) == 401, "a session opened with the replaced password still reads the digest"
    fresh = staff_login(city, "S31", "换了的新密码-2026").cookies["cityhall_staff"]
    assert _digest_with(city, fresh) == 200, "the new password logs in"


# -- clocks ----------------------------------------------------------------------------------

def test_a_pulled_clock_counter_at_its_top_leaves_the_township_able_to_record(hub_up: City) -> None:
    """A village event stamped a minute ahead with counter 99999 is a valid event; a station that pulled it
    moved its clock to counter 100000, and every event it made after that failed the 19-character contract."""
    village, township = hub_up.village, hub_up.township
    case_no = village.file(forward=True)
    assert village.sync().rejected == 0
    last = village.service.store.case_events(case_no)[-1]
    ahead = format_hlc(int(time.time() * 1000) + 60_000, 99999)
    note = forged_event(village.code, case_no, "noted", hlc=ahead, prev=last.digest(), data={"note": "时钟"})
    assert statuses(village.signer.push([note])) == ["accepted"]

    township.sync()
    state = township.service.act(township.operator, case_no, "accepted")

    assert state.status == "accepted"
    mine = township.service.store.case_events(case_no)[-1]
    assert (mine.kind, len(mine.hlc)) == ("accepted", 19) and mine.hlc > ahead, mine.hlc
    assert township.sync().rejected == 0


def test_an_event_stamped_centuries_ahead_is_refused(hub_up: City) -> None:
    """An HLC of the year 2286 sorts after everything anyone records later, and every station that pulls
    it carries its clock there: after 99999 more events none of them can record anything."""
    village = hub_up.rival_village  # its township's clock may go there: no other test of the module uses them
    case_no = village.file(forward=True)
    assert village.sync().rejected == 0
    last = village.service.store.case_events(case_no)[-1]
    note = forged_event(village.code, case_no, "noted", hlc=FAR_FUTURE_HLC, prev=last.digest(), data={"note": "未来"})

    answer = village.signer.push([note])

    assert statuses(answer) == ["rejected"], "an event 260 years ahead of the hub's clock was accepted"
    assert "时钟" in reasons(answer)[0]


# -- backdating ------------------------------------------------------------------------------

def test_a_township_cannot_approve_backdated_under_its_own_escalation(hub_up: City) -> None:
    """Once it escalated the case to the county the township decides nothing; an ``approved`` stamped before
    its own ``escalated`` was judged as the case stood then, accepted, and made the escalation a conflict."""
    city, village, township = hub_up, hub_up.village, hub_up.township
    case_no = village.file(forward=True)
    assert village.sync().rejected == 0
    township.sync()
    township.service.act(township.operator, case_no, "accepted")
    township.service.act(township.operator, case_no, "noted", reason="请县里定")
    township.service.act(township.operator, case_no, "escalated")
    assert township.sync().rejected == 0
    accepted, _, escalated = township.service.store.case_events(case_no)[-3:]
    assert (accepted.kind, escalated.kind) == ("accepted", "escalated")
    physical, counter = parse_hlc(accepted.hlc)
    gap = format_hlc(physical, counter + 1)  # at most the note's stamp: before the escalation whatever the clock did
    assert accepted.hlc < gap < escalated.hlc
    approval = forged_event(township.code, case_no, "approved", hlc=gap, role="approver", actor="P01",
                            prev=escalated.digest())

    answer = township.signer.push([approval])

    assert statuses(answer) == ["rejected"], "an approval backdated under the township's own escalation was accepted"
    page = city.get(village.tracking_path(case_no)).json()
    assert page["status"] == "submitted", page["status"]


# -- levels ----------------------------------------------------------------------------------

def test_a_village_cannot_refuse_a_township_item_by_claiming_a_clerk(hub_up: City) -> None:
    """Until it is forwarded a case's handler is its origin: a village that wrote ``role: clerk`` on a
    ``refused`` (不予受理, the township's decision on a township item) had it accepted."""
    city, village, township = hub_up, hub_up.neighbour, hub_up.township
    case_no = village.file(forward=False)
    assert village.sync().rejected == 0
    received = village.first_event(case_no)
    refusal = forged_event(village.code, case_no, "refused", hlc=hlc_after(received.hlc), role="clerk",
                           prev=received.digest(), data={"reason": "不符合条件"})

    answer = village.signer.push([refusal])

    assert statuses(answer) == ["rejected"], "a village decided a township item's acceptance"
    assert "级" in reasons(answer)[0], reasons(answer)
    assert city.get(village.tracking_path(case_no)).json()["status"] == "received"
    village.service.act(village.operator, case_no, "forwarded")
    assert village.sync().rejected == 0
    township.sync()
    assert township.service.case(case_no).status == "submitted", "the township still gets the case"


def _rate(city: City, village: Site, case_no: str) -> httpx.Response:
    return httpx.post(city.url + village.tracking_path(case_no) + "/rating", json={"level": 5}, timeout=30)


def test_a_case_stamped_at_the_clock_top_does_not_stop_ratings_of_every_other_case(hub_up: City) -> None:
    """The hub's one clock moved past the case's last HLC before it stamped a citizen's rating: past the
    top HLC it could stamp nothing valid again, and every citizen's rating anywhere was refused. Such a
    stamp is now refused at ingest (too far ahead of the hub's clock); both cases are rated as usual."""
    city, village = hub_up, hub_up.rival_village  # as in the test above: a branch no other test here uses
    poisoned, other = decided_case(village, hub_up.rival_township), decided_case(village, hub_up.rival_township)
    events = village.service.store.case_events(poisoned)
    own = [e for e in events if e.station == village.code][-1]
    note = forged_event(village.code, poisoned, "noted", hlc="9999999999999.99999", prev=own.digest(),
                        data={"note": "顶"})
    assert events[-1].hlc < note["hlc"]
    answer = village.signer.push([note])
    assert statuses(answer) == ["rejected"] and "时钟" in reasons(answer)[0]

    for case_no in (poisoned, other):
        rated = _rate(city, village, case_no)
        assert rated.status_code == 200, f"a rating answered {rated.status_code}: {rated.text[:300]}"


# -- more answers ----------------------------------------------------------------------------

@pytest.mark.parametrize("after", ["inf", "1e999", "Infinity"])
def test_an_infinite_notices_cursor_is_a_4xx_not_a_500(hub_up: City, after: str) -> None:
    """``after`` is a float: infinity passed ``ge=0``, came back as the cursor, and JSON cannot carry it."""
    answer = _signed(hub_up.village, "GET", f"/api/v1/notices?after={after}")
    assert 400 <= answer.status_code < 500, f"{answer.status_code}: {answer.text[:300]}"


def test_an_upload_that_failed_its_hash_can_be_sent_again_with_its_true_size(hub_up: City) -> None:
    """A 422 said "discarded, upload it again", but the size the bad upload declared stayed: the true
    file was refused as a size mismatch until the stale-upload sweep, two days later."""
    village = hub_up.village
    case_no = village.file(forward=False)
    assert village.sync().rejected == 0
    content = tiny_pdf(f"scan for {case_no}")
    sha256 = hashlib.sha256(content).hexdigest()
    last = village.service.store.case_events(case_no)[-1]
    attached = forged_event(village.code, case_no, "attached", hlc=hlc_after(last.hlc), prev=last.digest(), data={
        "material": "id_and_hukou", "sha256": sha256, "size": len(content), "type": "application/pdf",
        "name": "scan.pdf", "original_sha256": sha256, "original_size": len(content)})
    assert statuses(village.signer.push([attached])) == ["accepted"]
    path = f"/api/v1/files/{sha256}"

    wrong = _signed(village, "PUT", path, b"not the file", headers={"Content-Range": "bytes 0-11/12"})
    assert (wrong.status_code, wrong.json()["error"]) == (422, "hash_mismatch")
    right = _signed(village, "PUT", path, content, headers={"Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"})

    assert right.status_code == 200, f"{right.status_code}: {right.text[:300]}"
    assert right.json()["complete"] is True
