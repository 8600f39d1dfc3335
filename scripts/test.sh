#!/usr/bin/env bash
# Set up (Python packages, Chromium, PostgreSQL, fonts), then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
exec .venv/bin/python -m pytest -n 2 -q "$@"
