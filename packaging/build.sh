#!/usr/bin/env bash
# Build a one-folder app with PyInstaller into dist/EvidenceDesk (not part of CI).
set -euo pipefail
cd "$(dirname "$0")/.."
./dev.sh setup
.venv/bin/python -m pip install -q pyinstaller
.venv/bin/pyinstaller --noconfirm --clean packaging/evidence-desk.spec
echo "built dist/EvidenceDesk"
