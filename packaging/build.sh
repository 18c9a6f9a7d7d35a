#!/usr/bin/env bash
# Build EvidenceDesk for Linux from this checkout (run through `./dev.sh package`, which sets up .venv and
# the apt packages first):
#   1. dist/EvidenceDesk/          the PyInstaller one-folder bundle (packaging/evidence-desk.spec; the
#                                  spec makes the icons from the SVG first, into build/icons/)
#   2. packaging/smoke.sh          run on that bundle, in a bare environment
#   3. dist/evidence-desk_<version>_<arch>.deb   (packaging/build_deb.py: Depends derived from the bundle)
# Windows builds with packaging/windows/build.ps1 instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "no .venv: run ./dev.sh package" >&2; exit 2; }
"$PY" -c "import PyInstaller" 2>/dev/null || { echo "PyInstaller missing: run ./dev.sh package" >&2; exit 2; }

VERSION="$("$PY" -c 'from desktop.version import app_version; print(app_version())')"
"$PY" packaging/check_fonts.py resources/fonts

echo "==> building dist/EvidenceDesk (EvidenceDesk $VERSION; PyInstaller, a few minutes)"
rm -rf build/EvidenceDesk dist/EvidenceDesk
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build \
  packaging/evidence-desk.spec
echo "==> bundle: $(du -sh dist/EvidenceDesk | cut -f1) unpacked"

echo "==> smoke test of the bundle"
EXPECTED_VERSION="$VERSION" packaging/smoke.sh dist/EvidenceDesk

echo "==> building the .deb"
"$PY" packaging/build_deb.py --bundle dist/EvidenceDesk --icons build/icons --out dist
echo "==> done: dist/EvidenceDesk and dist/evidence-desk_*.deb"
