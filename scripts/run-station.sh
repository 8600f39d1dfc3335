#!/usr/bin/env bash
# Open the station app for the demo village 光星村 (stations.toml).
# Its data lives in ./demo-station (or $STATION_HOME); the demo operator is A01 with PIN 1234.
#   bash scripts/run-station.sh           set up if needed, then open the app
#   bash scripts/run-station.sh --setup   set up and make the demo home, print what it is, no app
# Setting up (Debian packages, .venv, pip) happens on the first start and again only when
# pyproject.toml changes: the project is installed editable, so code changes need no reinstall.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.setup-stamp
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -x .venv/bin/station ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  bash scripts/setup.sh run
  echo "$wanted" > "$stamp"
fi
export STATION_HOME="${STATION_HOME:-$PWD/demo-station}"
if [ ! -f "$STATION_HOME/station.toml" ]; then
  .venv/bin/station init --station 420115102203 --config stations.toml >/dev/null
  STATION_PIN=1234 .venv/bin/station agent add --id A01 --name 王小丽 --role agent >/dev/null
  # Two demo cases so the first look at the app is not empty.
  STATION_PIN=1234 .venv/bin/station intake --agent A01 --item 420115GF0004 \
    --applicant-id 420115194503150024 --applicant-name 曾𠮷 --phone 13812345678 \
    --field age_band=80-89周岁 --field living_status=独居 --field village_group=光星村三组 \
    --field bank_name=湖北农商银行山坡支行 --field bank_account=6228480402564890018 \
    --received id_and_hukou --received application_form --deferred bank_card_copy >/dev/null
  STATION_PIN=1234 .venv/bin/station intake --agent A01 --item 420115GF0004 \
    --applicant-id 420115193507080049 --applicant-name 欧阳娜娜 \
    --field age_band=90-99周岁 --field living_status=与子女同住 --field village_group=光星村一组 \
    --field bank_name=湖北农商银行山坡支行 --field bank_account=6228480402564890026 \
    --received id_and_hukou --received application_form --received bank_card_copy >/dev/null
  echo "演示站点已建好：$STATION_HOME（操作员 A01，密码 1234）"
fi
if [ "${1:-}" = "--setup" ]; then
  # What the hub needs to enrol this station; `station info` shows it again at any time.
  .venv/bin/station info
  exit 0
fi
exec .venv/bin/station tui
