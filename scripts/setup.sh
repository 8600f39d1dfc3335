#!/usr/bin/env bash
# Install what the project needs on a fresh Debian machine with Python 3.11 and pip:
# Debian packages (CJK fonts, tmux; for tests also Chromium, poppler, PostgreSQL) and a
# virtual environment in .venv with the project installed. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

missing=()
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
command -v tmux >/dev/null || missing+=(tmux)
if [ "$purpose" = test ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
extras=""
[ "$purpose" = test ] && extras="[test]"
.venv/bin/pip install -q --disable-pip-version-check -e ".${extras}"
