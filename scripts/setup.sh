#!/usr/bin/env bash
# Creates .venv and installs thidua with its development tools. Idempotent: re-runs only
# when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Cần Python 3.11 trở lên (đang dùng: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    echo "… Đang cài python3-venv (apt-get)" >&2
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -m venv "$VENV"
  fi
fi
stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "… Đang cài các gói Python vào $VENV" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING' || true
  "$VENV/bin/python" -m pip install -q -e '.[dev]' 2>&1 | grep -v '^WARNING' || true
  "$VENV/bin/python" -c 'import api.cli, litestar, piccolo, weasyprint, openpyxl, vietnamadminunits' \
    || { echo "Cài đặt gói Python không thành công." >&2; exit 1; }
  touch "$stamp"
fi
