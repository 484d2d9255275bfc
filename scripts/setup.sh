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
    apt-get -o DPkg::Lock::Timeout=600 update -qq \
      && apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-venv >/dev/null
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

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
# Another apt-get (an unattended upgrade, a second `make`) may hold the package locks: wait for
# them (up to 10 minutes) instead of failing. apt takes fcntl locks, so they are probed the same way.
wait_for_apt() {
  as_root python3 - <<'PY'
import fcntl, os, sys, time
deadline, said = time.monotonic() + 600, False
for path in ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock", "/var/lib/apt/lists/lock",
             "/var/cache/apt/archives/lock"):
    if not os.path.exists(path):
        continue
    with open(path, "a") as handle:
        while True:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.lockf(handle, fcntl.LOCK_UN)
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("apt-get vẫn đang bận sau 10 phút (" + path + ")")
                if not said:
                    print("… Đang chờ một apt-get khác chạy xong", file=sys.stderr, flush=True)
                    said = True
                time.sleep(2)
PY
}
APT_WAIT=(-o DPkg::Lock::Timeout=600)
apt_install() {
  echo "… Đang cài $* (apt-get)" >&2
  wait_for_apt
  as_root apt-get "${APT_WAIT[@]}" update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_WAIT[@]}" install -y -qq "$@" >/dev/null
}
# Award dossiers are typeset in Liberation Serif (metric-compatible with Times New Roman,
# Decree 30/2020): the app needs the font itself, so `make run` installs it too.
dpkg -s fonts-liberation2 >/dev/null 2>&1 || apt_install fonts-liberation2

# The browser tests (tests/e2e, marked e2e) drive Debian's Chromium through the Python
# `playwright` package (a dev extra). Never `playwright install`: the browser comes from apt.
# The dossier tests read PDFs back with poppler-utils (pdftotext, pdffonts, pdfinfo); the plan
# workbook tests save a workbook through LibreOffice Calc, as a Department's specialist would.
[ "${1:-}" = "--browser" ] || exit 0  # `make test` asks for these; `make run` does not need them
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
if ! "$VENV/bin/python" -c 'import playwright.sync_api' 2>/dev/null; then
  echo "… Đang cài playwright (gói Python, dùng Chromium của Debian)" >&2
  "$VENV/bin/python" -m pip install -q -e '.[dev]' 2>&1 | grep -v '^WARNING' || true
  "$VENV/bin/python" -c 'import playwright.sync_api' \
    || { echo "Cài đặt playwright không thành công." >&2; exit 1; }
fi
