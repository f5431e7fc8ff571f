#!/usr/bin/env bash
# One set-up for `make run` and `make test`: system packages, then .venv with everything in it.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the kiosk and its tests need at run time:
#   libegl1 libegl-mesa0 libgl1-mesa-dri  Kivy's SDL2 window (real GL, also offscreen in tests)
#   libmtdev1                             multitouch events from Linux touchscreens
#   espeak-ng sox                         read-aloud (and measuring the audio in tests)
#   postgresql                            the central record's scale-out database (tests start their own server)
#   chromium                              the staff web pages' end-to-end tests (headless)
#   systemd                               systemd-analyze verify of the deploy units (tests/ops/test_deploy.py)
#   cage xwayland                         the kiosk shell (deploy/patient-voice-kiosk.service)
#   grim xvfb xdotool                     its test: screenshots, an outer X server, keys (tests/ops/test_cage.py)
# (assets/fonts/build_fonts.py also needs fonts-noto-core fonts-noto-cjk, only to rebuild fonts)
PACKAGES=(libegl1 libegl-mesa0 libgl1-mesa-dri libmtdev1 espeak-ng sox postgresql chromium systemd
          cage xwayland grim xvfb xdotool)
python3 -c 'import ensurepip' 2>/dev/null || PACKAGES+=(python3-venv)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install these system packages first (as root): apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
  echo "setup: Patient Voice needs Python 3.11 (found $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
# Compile the .mo catalogues from the tracked .po files as they are (never rewriting them;
# `python -m kiosk.i18n_build` is the developer's command that extracts and updates).
.venv/bin/python -c '
import sys
from kiosk.i18n import catalogue_path, load_catalogue
from kiosk.languages import language_tags
bad = [t for t in language_tags() if catalogue_path(t).is_file() and load_catalogue(t) is None]
sys.exit("setup: these catalogues do not compile: " + ", ".join(bad) if bad else 0)
'
touch .venv/.installed
