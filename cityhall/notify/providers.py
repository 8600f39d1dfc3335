"""Where texts go: a generic webhook, Alibaba Cloud SMS and Tencent Cloud SMS.

The two clouds are called through their documented signed HTTP APIs (SendSms), with the
endpoint from the configuration so a test can stand in for the service on loopback:
Alibaba Cloud's RPC signature (HMAC-SHA1 over the sorted, percent-encoded parameters) and
Tencent Cloud's TC3-HMAC-SHA256. Their SDKs pull in a dependency tree each for one call.
Every provider answers with the provider's own words, kept as the notice's detail.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timezone
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import httpx

from .config import NotifyConfig
from .outbox import ClaimedNotice
from .steps import STEP_PARAMS

__all__ = ["Provider", "SendRetryable", "SendRefused", "WebhookProvider", "AliyunProvider", "TencentProvider",
           "make_provider", "aliyun_signature", "tc3_signature"]

_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class SendRetryable(Exception):
    """A network error, a 5xx, a 429 or a throttling answer: worth another attempt later."""


class SendRefused(Exception):
    """The provider said no (bad template, bad signature, blocked number): retrying will not help."""


class Provider(Protocol):
    def send(self, notice: ClaimedNotice) -> str:
        """Hand one text over; returns the provider's receipt. Raises SendRetryable or SendRefused."""

    def close(self) -> None: ...


def _post(client: httpx.Client, url: str, **kwargs: object) -> httpx.Response:
    try:
        response = client.post(url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise SendRetryable(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise SendRetryable(f"HTTP {response.status_code}: {response.text[:300]}")
    return response


class WebhookProvider:
    """POST ``{"id", "phone", "template", "params"}``; any 2xx means accepted."""

    def __init__(self, config: NotifyConfig, client: httpx.Client | None = None) -> None:
        self.url = config.url
        self.headers = {"Authorization": f"Bearer {config.credentials.secret}"} if config.credentials.secret else {}
        self.client = client or httpx.Client(timeout=_TIMEOUT)

    def send(self, notice: ClaimedNotice) -> str:
        body = {"id": notice.id, "phone": notice.phone, "template": notice.template, "params": notice.params}
        response = _post(self.client, self.url, json=body, headers=self.headers)
        if not response.is_success:
            raise SendRefused(f"HTTP {response.status_code}: {response.text[:300]}")
        return f"HTTP {response.status_code}"

    def close(self) -> None:
        self.client.close()


def _percent(text: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's signature documents it (space %20, * %2A, ~ kept)."""
    return quote(text, safe="~")


def aliyun_signature(method: str, params: dict[str, str], secret: str) -> str:
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunProvider:
    """Alibaba Cloud SMS ``SendSms`` (API version 2017-05-25), RPC style, signed with HMAC-SHA1."""

    _RETRYABLE = ("Throttling", "ServiceUnavailable", "InternalError")

    def __init__(self, config: NotifyConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self.client = client or httpx.Client(timeout=_TIMEOUT)

    def request_params(self, notice: ClaimedNotice, now: datetime) -> dict[str, str]:
        params = {
            "AccessKeyId": self.config.credentials.key_id, "Action": "SendSms", "Format": "JSON",
            "RegionId": self.config.region or "cn-hangzhou", "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
            "PhoneNumbers": notice.phone, "SignName": self.config.sign_name, "TemplateCode": notice.template,
            "TemplateParam": json.dumps(notice.params, ensure_ascii=False, separators=(",", ":")),
            "OutId": notice.id,
        }
        return params | {"Signature": aliyun_signature("POST", params, self.config.credentials.secret)}

    def send(self, notice: ClaimedNotice) -> str:
        params = self.request_params(notice, datetime.now(timezone.utc))
        response = _post(self.client, self.config.url, data=params)
        answer = _json(response)
        code = str(answer.get("Code", ""))
        if code == "OK":
            return f"BizId {answer.get('BizId', '')}"
        words = f"{code or 'HTTP ' + str(response.status_code)}: {answer.get('Message', response.text[:200])}"
        raise (SendRetryable if code.startswith(self._RETRYABLE) else SendRefused)(words)

    def close(self) -> None:
        self.client.close()


def _hmac256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_signature(secret_key: str, service: str, host: str, body: str, timestamp: int) -> tuple[str, str]:
    """(signature hex, credential scope) of a POST / with JSON body, as TC3-HMAC-SHA256 documents it."""
    day = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    canonical = "\n".join(["POST", "/", "", f"content-type:application/json; charset=utf-8\nhost:{host}\n",
                           "content-type;host", hashlib.sha256(body.encode()).hexdigest()])
    scope = f"{day}/{service}/tc3_request"
    string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                                hashlib.sha256(canonical.encode()).hexdigest()])
    signing = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    return hmac.new(signing, string_to_sign.encode(), hashlib.sha256).hexdigest(), scope


class TencentProvider:
    """Tencent Cloud SMS ``SendSms`` (API version 2021-01-11), signed with TC3-HMAC-SHA256.

    Tencent's templates number their parameters ({1}, {2}, …): they are sent in the order
    ``STEP_PARAMS`` lists for the step.
    """

    _RETRYABLE = ("RequestLimitExceeded", "InternalError", "LimitExceeded")

    def __init__(self, config: NotifyConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self.client = client or httpx.Client(timeout=_TIMEOUT)

    def request(self, notice: ClaimedNotice, timestamp: int) -> tuple[str, dict[str, str]]:
        body = json.dumps({
            "PhoneNumberSet": [f"+86{notice.phone}"], "SmsSdkAppId": self.config.app_id,
            "SignName": self.config.sign_name, "TemplateId": notice.template,
            "TemplateParamSet": [notice.params.get(name, "") for name in STEP_PARAMS[notice.step]],
            "SessionContext": notice.id,
        }, ensure_ascii=False, separators=(",", ":"))
        host = urlsplit(self.config.url).netloc
        signature, scope = tc3_signature(self.config.credentials.secret, "sms", host, body, timestamp)
        headers = {
            "Authorization": f"TC3-HMAC-SHA256 Credential={self.config.credentials.key_id}/{scope}, "
                             f"SignedHeaders=content-type;host, Signature={signature}",
            "Content-Type": "application/json; charset=utf-8", "Host": host, "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp), "X-TC-Version": "2021-01-11",
            "X-TC-Region": self.config.region or "ap-guangzhou",
        }
        return body, headers

    def send(self, notice: ClaimedNotice) -> str:
        body, headers = self.request(notice, int(datetime.now(timezone.utc).timestamp()))
        answer = _json(_post(self.client, self.config.url, content=body.encode(), headers=headers))
        reply = answer.get("Response", {}) if isinstance(answer.get("Response"), dict) else {}
        error = reply.get("Error")
        if isinstance(error, dict):
            code = str(error.get("Code", ""))
            raise (SendRetryable if code.startswith(self._RETRYABLE) else SendRefused)(
                f"{code}: {error.get('Message', '')}")
        statuses = reply.get("SendStatusSet") or [{}]
        status = statuses[0] if isinstance(statuses[0], dict) else {}
        if status.get("Code") == "Ok":
            return f"SerialNo {status.get('SerialNo', '')}"
        raise SendRefused(f"{status.get('Code', 'no status')}: {status.get('Message', json.dumps(answer)[:200])}")

    def close(self) -> None:
        self.client.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise SendRefused(f"HTTP {response.status_code}, not JSON: {response.text[:200]}")
    return answer


def make_provider(config: NotifyConfig, client: httpx.Client | None = None) -> Provider:
    kinds: dict[str, Callable[[NotifyConfig, httpx.Client | None], Provider]] = {
        "webhook": WebhookProvider, "aliyun": AliyunProvider, "tencent": TencentProvider}
    return kinds[config.provider](config, client)
