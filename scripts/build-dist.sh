#!/usr/bin/env bash
# `make dist`: build the one-folder kiosk (dist/kiosk/) with PyInstaller from kiosk.spec.
# Compiles the catalogues first (the spec ships .mo files only; compiled by kiosk.i18n from the
# .po files as they are, so building never rewrites a tracked catalogue: `python -m
# kiosk.i18n_build` is for updating them), and builds offscreen because
# evaluating Kivy's PyInstaller hooks opens a window. Prints the build time and bundle size.
#
# `make dist-selftest` (--selftest): build, then run the frozen `kiosk selftest` offscreen against
# a throwaway config with fresh keys (enrolled to a central record that does not exist: the
# selftest never syncs), in a clean environment (no venv on PATH); print its wall time and the
# frozen start time. A broken bundle (a missing kv file, font, catalogue or hidden import) fails.
#   DIST_DIR=...  where the bundle goes (default: dist)   BUILD_DIR=...  work files (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DIST_DIR=${DIST_DIR:-dist}
BUILD_DIR=${BUILD_DIR:-build}

build() {
  "$PY" -c 'import PyInstaller' 2>/dev/null || {
    echo "build-dist: PyInstaller is missing; run: $PY -m pip install -e '.[test]'" >&2
    exit 1
  }
  "$PY" - <<'PYEOF'
import sys
from kiosk.i18n import catalogue_path, load_catalogue
from kiosk.languages import language_tags
for tag in language_tags():
    if catalogue_path(tag).is_file():
        if load_catalogue(tag) is None or not catalogue_path(tag, ".mo").is_file():
            sys.exit(f"build-dist: the {tag} catalogue cannot be compiled to a .mo file")
PYEOF
  local kivy_home start
  kivy_home=$(mktemp -d)
  start=$(date +%s)
  SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy KIVY_NO_ARGS=1 KIVY_NO_FILELOG=1 \
    KIVY_NO_CONSOLELOG=1 KIVY_HOME="$kivy_home/kivy" \
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$BUILD_DIR" kiosk.spec
  rm -rf "$kivy_home"
  echo "build-dist: $DIST_DIR/kiosk/kiosk built in $(($(date +%s) - start)) s;" \
    "bundle $(du -sh "$DIST_DIR/kiosk" | cut -f1)"
}

selftest() {
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  "$PY" - "$work" <<'PYEOF'
import sys
from pathlib import Path
from kiosk.crypto import PrivateKey
work = Path(sys.argv[1])
keys = [PrivateKey.generate().public_key().to_text() for _ in range(2)]
cfg = work / "kiosk.toml"
cfg.write_text(f"""[device]
id = "selftest"
site = "TEST"
location = "build"
[central]
url = "https://central.invalid"
token = "pvt_selftest-never-sent"
[keys]
responses = "{keys[0]}"
contacts = "{keys[1]}"
[kiosk]
languages = ["en"]
default_language = "en"
data_dir = "{work / 'data'}"
""", encoding="utf-8")
cfg.chmod(0o600)
PYEOF
  local start end
  start=$(date +%s.%N)
  if ! env -i PATH=/usr/bin:/bin HOME="$work" SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy \
    "$DIST_DIR/kiosk/kiosk" --config "$work/kiosk.toml" selftest; then
    echo "build-dist: the frozen selftest FAILED" >&2
    return 1
  fi
  end=$(date +%s.%N)
  echo "build-dist: frozen selftest passed in $(awk "BEGIN {printf \"%.2f\", $end - $start}") s"
  starttime "$work"
}

# Frozen start time: from exec to Kivy's "Start application main loop" (the App built, its first
# screen ready), for `kiosk run --windowed` offscreen. Killed afterwards: the kiosk vetoes closing.
starttime() {
  "$PY" - "$DIST_DIR/kiosk/kiosk" "$1" <<'PYEOF'
import subprocess, sys, time
exe, work = sys.argv[1:3]
env = {"PATH": "/usr/bin:/bin", "HOME": work, "SDL_VIDEODRIVER": "offscreen",
       "SDL_AUDIODRIVER": "dummy", "KIOSK_LOG_LEVEL": "INFO"}
start = time.monotonic()
proc = subprocess.Popen([exe, "--config", f"{work}/kiosk.toml", "run", "--windowed"], env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
took = None
try:
    for line in proc.stderr:
        if "Start application main loop" in line:
            took = time.monotonic() - start
            break
finally:
    proc.kill()
    proc.wait()
print(f"build-dist: frozen start to main loop: {took:.2f} s" if took is not None else
      "build-dist: the frozen app did not reach its main loop", file=sys.stdout)
sys.exit(0 if took is not None else 1)
PYEOF
}

build
if [ "${1:-}" = "--selftest" ]; then
  selftest
fi
