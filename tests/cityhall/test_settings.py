"""The hub's environment variables: read in one place (cityhall/settings.py), each checked."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from cityhall.filestore import S3Config
from cityhall.notify.config import CREDENTIAL_ENV, WEBHOOK_TOKEN_ENV
from cityhall import settings
from cityhall.settings import NOTIFY_CREDENTIAL_ENVS, STALE_UPLOAD_S, HubEnvironment

CITYHALL = Path(__file__).resolve().parents[2] / "cityhall"


def test_every_variable_is_read_into_its_field() -> None:
    env = HubEnvironment.read({
        "CITYHALL_DB": "postgresql://hub@db/hub", "STATION_CONFIG": "/etc/hub/stations.toml",
        "CITYHALL_METRICS_TOKEN": "t0ken", "CITYHALL_FILES_DIR": "/srv/files", "CITYHALL_FILES_STAGING": "/srv/up",
        "CITYHALL_S3_ENDPOINT": "http://minio:9000", "CITYHALL_S3_BUCKET": "scans",
        "CITYHALL_STALE_UPLOAD_HOURS": "72", "TENCENTCLOUD_SECRET_ID": "id", "TENCENTCLOUD_SECRET_KEY": "key",
        "HOME": "/root"})
    assert env == HubEnvironment(
        db_url="postgresql://hub@db/hub", topology_file=Path("/etc/hub/stations.toml"), metrics_token="t0ken",
        files_dir=Path("/srv/files"), files_staging=Path("/srv/up"),
        s3=S3Config("http://minio:9000", "scans", "attachments/"), stale_upload_s=72 * 3600.0,
        notify_credentials={"TENCENTCLOUD_SECRET_ID": "id", "TENCENTCLOUD_SECRET_KEY": "key"})


def test_nothing_set_gives_the_documented_defaults() -> None:
    env = HubEnvironment.read({})
    assert (env.db_url, env.topology_file, env.s3, env.stale_upload_s) == (
        "sqlite:///cityhall.db", Path("stations.toml"), None, STALE_UPLOAD_S)


def test_a_bucket_without_an_endpoint_keeps_the_files_on_disk() -> None:
    assert HubEnvironment.read({"CITYHALL_S3_BUCKET": "scans"}).s3 is None


def test_the_credential_names_are_the_providers() -> None:
    assert set(NOTIFY_CREDENTIAL_ENVS) == {WEBHOOK_TOKEN_ENV, *(n for names in CREDENTIAL_ENV.values() for n in names)}


@pytest.mark.parametrize("path", sorted(p for p in CITYHALL.rglob("*.py") if p.name != "settings.py"),
                         ids=lambda p: p.relative_to(CITYHALL).as_posix())
def test_no_other_module_reads_the_environment(path: Path) -> None:
    reads = re.findall(r"os\.environ(?:\.get)?\(|os\.environ\[[^\]]+\](?!\s*(?:,|=))|os\.getenv", path.read_text("utf-8"))
    allowed = {"office_cli.py": 2}  # CITYHALL_PASSWORD: the input of `cityhall staff add`, not a setting
    assert len(reads) == allowed.get(path.name, 0), reads



def _named(text: str) -> set[str]:
    return set(re.findall(r"\b(?:CITYHALL|STATION|ALIBABA_CLOUD|TENCENTCLOUD)_[A-Z0-9_]+\b", text))


def test_the_example_and_the_readme_name_every_variable_the_hub_reads() -> None:
    read = {value for name, value in vars(settings).items() if name.endswith("_ENV")} | set(NOTIFY_CREDENTIAL_ENVS)
    assert len(read) == 14, read
    example = _named((CITYHALL / "hub.env.example").read_text("utf-8"))
    assert example == read
    assert read - _named((CITYHALL.parent / "README.md").read_text("utf-8")) == set()
