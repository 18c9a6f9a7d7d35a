#!/usr/bin/env bash
# Set up everything EvidenceDesk needs on Debian/Ubuntu, then start the app or run the tests.
#
#   ./dev.sh app      set up, then open the app on the demo workspace
#   ./dev.sh test     set up, then run the test suite (offscreen Qt; the timing tests alone, the rest on
#                     two workers)
#   ./dev.sh test-core  set up, then run every test that does not need Qt, with PySide6 made unimportable
#   ./dev.sh perf     set up, then run the benchmarks in tests/perf (slow; prints figures)
#   ./dev.sh package  set up, then build dist/EvidenceDesk (PyInstaller) and the .deb, and smoke-test the
#                     bundle (packaging/build.sh; a few minutes)
#   ./dev.sh setup    set up only
#
# Installs only the missing apt packages (as root, or through sudo), creates .venv and installs the
# project into it (editable, with the test extra). Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

MODE="${1:-app}"
shift || true

# Qt's runtime libraries, a CJK font, the sqlite3 shell (tests tamper with a database through it),
# readelf (the packaging tests read real ELF files).
APT_BASE=(libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libdbus-1-3 libglib2.0-0
          fonts-wqy-microhei sqlite3 binutils)
# Tests and benchmarks: qpdf checks the binder, zip is the export benchmark's baseline, LibreOffice
# (Writer and Calc, without the GUI; ~100 MB, ~30 s to install) converts Office files for the binder.
APT_TEST=(qpdf zip libreoffice-writer-nogui libreoffice-calc-nogui)
# A real window (xcb) and the virtual screen the screenshot script uses.
APT_GUI=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
         libxcb-shape0 libxcb-randr0 libxcb-xinerama0 xvfb xauth xdotool)
# Building the bundle and the .deb: the Qt xcb plugin's libraries must be here to be found (they become
# the .deb's Depends); dpkg-deb builds the package (readelf comes with APT_BASE).
APT_PACKAGE=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
             libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 dpkg)

need_python() {
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  return 1
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing apt packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || { $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -q --no-install-recommends "${missing[@]}"; }
}

setup() {
  if command -v dpkg-query >/dev/null 2>&1; then
    local pkgs=("${APT_BASE[@]}")
    [ "$MODE" = "app" ] && pkgs+=("${APT_GUI[@]}")
    [ "$MODE" = "package" ] && pkgs+=("${APT_PACKAGE[@]}")
    if [ "$MODE" = "test" ] || [ "$MODE" = "perf" ]; then pkgs+=("${APT_TEST[@]}"); fi
    PY="$(need_python || true)"
    if [ -z "$PY" ]; then pkgs+=(python3 python3-venv); fi
    apt_install "${pkgs[@]}"
  fi
  PY="$(need_python)" || { echo "EvidenceDesk needs Python >= 3.11" >&2; exit 1; }
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $PY"
    "$PY" -m venv .venv 2>/dev/null || { apt_install python3-venv; "$PY" -m venv .venv; }
  fi
  local stamp=.venv/.installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing EvidenceDesk and its dependencies into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
    touch "$stamp"
  fi
  if [ "$MODE" = "package" ] && ! .venv/bin/python -c "import PyInstaller" 2>/dev/null; then
    echo "==> installing PyInstaller into .venv"
    .venv/bin/python -m pip install -q -e ".[test,package]"
  fi
}

setup
case "$MODE" in
  setup) ;;
  app)
    exec .venv/bin/evidence-desk --demo "$@" ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    # One command, two passes: the tests marked serial (they time themselves or race the watcher) alone,
    # then all the others on TEST_JOBS workers (pytest-xdist; default 2). TEST_JOBS=1, or a -m/-n of your
    # own, runs one ordinary pass instead.
    jobs="${TEST_JOBS:-2}"
    for arg in "$@"; do
      case "$arg" in -m|-m*|-n|-n*|--numprocesses*|-p|-p*) jobs=1 ;; esac
    done
    if [ "$jobs" -le 1 ]; then exec .venv/bin/python -m pytest -q "$@"; fi
    # With options only (no path, no -k value), the serial pass collects just the files SERIAL names
    # (tests/conftest.py; collecting the whole suite takes longer than some of these tests).
    serial_files=()
    only_options=1
    for arg in "$@"; do case "$arg" in -*) ;; *) only_options=0 ;; esac; done
    if [ "$only_options" -eq 1 ]; then
      mapfile -t serial_files < <(.venv/bin/python -c \
        "from tests.conftest import SERIAL; print('\n'.join(sorted({s.split('::')[0] for s in SERIAL})))")
    fi
    rc_serial=0; rc_rest=0
    .venv/bin/python -m pytest -q -m serial ${serial_files[@]+"${serial_files[@]}"} "$@" || rc_serial=$?
    .venv/bin/python -m pytest -q -n "$jobs" --dist worksteal -m "not serial" "$@" || rc_rest=$?
    # 5 is pytest's "no test selected": an error only if neither pass selected any
    if [ "$rc_serial" -eq 5 ] && [ "$rc_rest" -eq 5 ]; then exit 5; fi
    [ "$rc_serial" -eq 5 ] && rc_serial=0
    [ "$rc_rest" -eq 5 ] && rc_rest=0
    [ "$rc_serial" -ne 0 ] && exit "$rc_serial"
    exit "$rc_rest" ;;
  test-core)
    # As on a machine without Qt (napari's headless job): PySide6 cannot be imported, in this process or any
    # child; tests/ui and the tests marked qt are left out, everything else must pass.
    export PYTHONPATH="$PWD/tests/qt_blocked${PYTHONPATH:+:$PYTHONPATH}"
    # (pytest-qt imports Qt as it loads: it is left out, and so is the warning about its qt_api setting.)
    exec .venv/bin/python -m pytest -q -p no:pytest-qt -W "ignore:Unknown config option:pytest.PytestConfigWarning" \
      -m "not qt" --ignore=tests/ui "$@" ;;
  perf)
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python tests/perf/run_all.py "$@" ;;
  package)
    exec packaging/build.sh "$@" ;;
  *)
    echo "usage: ./dev.sh [app|test|test-core|perf|package|setup]" >&2; exit 2 ;;
esac
