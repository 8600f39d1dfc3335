#!/usr/bin/env bash
# Set up, then open the station app for the demo village 光星村 (stations.toml).
# Its data lives in ./demo-station; the demo operator is A01 with PIN 1234.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
export STATION_HOME="${STATION_HOME:-$PWD/demo-station}"
if [ ! -f "$STATION_HOME/station.toml" ]; then
  .venv/bin/station init --station 420115102203 --config stations.toml
  STATION_PIN=1234 .venv/bin/station agent add --id A01 --name 王小丽 --role agent
fi
exec .venv/bin/station tui
