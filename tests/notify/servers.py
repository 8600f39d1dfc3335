"""Stand-ins for the SMS services on loopback: a webhook that records (and can fail on
purpose), and Alibaba Cloud and Tencent Cloud endpoints that check signatures the way
those services document them. The checks are written here from the documentation, not
by calling the hub's signing code, so a mistake there cannot hide in both places."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote_plus

__all__ = ["Recorder", "recording_server", "aliyun_check", "tencent_check", "ALIYUN_KEY", "TENCENT_KEY"]

ALIYUN_KEY = ("LTAI5tTestAccessKeyId", "test-access-key-secret")
TENCENT_KEY = ("AKIDtestSecretId0000", "test-secret-key")


@dataclass
class Recorder:
    """What the stand-in received, and the HTTP statuses it will answer with first."""

    answer: Callable[[str, dict[str, str], bytes], tuple[int, dict[str, Any]]]
    fail_first: list[int] = field(default_factory=list)
    """Statuses to answer the first requests with (e.g. [500]), before answering properly."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Every request: path, headers, body, and the status it got."""
    accepted: list[Any] = field(default_factory=list)
    """What each request that was answered with success carried."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.accepted) >= count:
                    return list(self.accepted)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} texts, got {len(self.accepted)}: {self.accepted}")


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with recorder.lock:
                if recorder.fail_first:
                    status, payload = recorder.fail_first.pop(0), {"error": "planned failure"}
                else:
                    status, payload = recorder.answer(self.path, headers, body)
                recorder.requests.append({"path": self.path, "headers": headers, "body": body, "status": status})
                if 200 <= status < 300 and payload.get("_accepted") is not None:
                    recorder.accepted.append(payload.pop("_accepted"))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def recording_server(recorder: Recorder) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def webhook_answer(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    payload = json.loads(body)
    if set(payload) != {"id", "phone", "template", "params"}:
        return 400, {"error": f"unexpected keys {sorted(payload)}"}
    return 200, {"ok": True, "_accepted": payload}


# -- Alibaba Cloud: RPC signature, HMAC-SHA1 (documented "签名机制") ------------------------

def _aliyun_encode(text: str) -> str:
    """The documentation's recipe: URL-encode as UTF-8, then '+'→%20, '*'→%2A, '%7E'→'~'."""
    return quote_plus(text, encoding="utf-8").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


_aliyun_nonces: set[str] = set()


def aliyun_check(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    params = dict(parse_qsl(body.decode(), keep_blank_values=True))
    signature = params.pop("Signature", "")
    canonical = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(v)}" for k, v in sorted(params.items()))
    to_sign = "POST&" + _aliyun_encode("/") + "&" + _aliyun_encode(canonical)
    expected = base64.b64encode(hmac.new((ALIYUN_KEY[1] + "&").encode(), to_sign.encode(), hashlib.sha1).digest())
    if params.get("AccessKeyId") != ALIYUN_KEY[0]:
        return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
    if not hmac.compare_digest(expected.decode(), signature):
        return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation."}
    stamp = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    if abs(time.time() - stamp.timestamp()) > 900:
        return 400, {"Code": "InvalidTimeStamp.Expired", "Message": "timestamp expired"}
    if params["SignatureNonce"] in _aliyun_nonces:
        return 400, {"Code": "SignatureNonceUsed", "Message": "nonce used"}
    _aliyun_nonces.add(params["SignatureNonce"])
    wanted = {"Action": "SendSms", "Version": "2017-05-25", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
              "Format": "JSON"}
    if any(params.get(k) != v for k, v in wanted.items()):
        return 400, {"Code": "InvalidParameter", "Message": f"unexpected {params}"}
    accepted = {k: params[k] for k in ("PhoneNumbers", "SignName", "TemplateCode", "OutId")}
    accepted["TemplateParam"] = json.loads(params["TemplateParam"])
    return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5",
                 "_accepted": accepted}


# -- Tencent Cloud: TC3-HMAC-SHA256 (documented "签名方法 v3") ----------------------------

def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sign(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def tencent_check(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    def error(code: str, message: str) -> tuple[int, dict[str, Any]]:
        return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "r-1"}}

    auth = headers.get("authorization", "")
    algorithm, _, rest = auth.partition(" ")
    parts = dict(p.strip().split("=", 1) for p in rest.split(",") if "=" in p)
    secret_id, day, service, terminator = (parts.get("Credential", "").split("/") + ["", "", "", ""])[:4]
    timestamp = int(headers.get("x-tc-timestamp", "0"))
    if algorithm != "TC3-HMAC-SHA256" or terminator != "tc3_request" or service != "sms":
        return error("AuthFailure.InvalidAuthorization", f"bad Authorization {auth}")
    if secret_id != TENCENT_KEY[0]:
        return error("AuthFailure.SecretIdNotFound", "secret id not found")
    if abs(time.time() - timestamp) > 300 or day != datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d"):
        return error("AuthFailure.SignatureExpire", "signature expired")
    signed = parts.get("SignedHeaders", "").split(";")
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed)
    canonical_request = "\n".join(["POST", "/", "", canonical_headers, ";".join(signed), _sha256_hex(body)])
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, _sha256_hex(canonical_request.encode())])
    key = _sign(_sign(_sign(("TC3" + TENCENT_KEY[1]).encode(), day), service), "tc3_request")
    if "host" not in signed or not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(),
                                                      parts.get("Signature", "")):
        return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
    if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
        return error("InvalidAction", "unexpected action")
    payload = json.loads(body)
    return 200, {"Response": {"SendStatusSet": [{"SerialNo": "5000:1045710669157053657849499619", "Code": "Ok",
                                                 "Message": "send success", "PhoneNumber": payload["PhoneNumberSet"][0]}],
                              "RequestId": "r-2"}, "_accepted": payload}
