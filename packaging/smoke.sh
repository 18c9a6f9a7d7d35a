#!/usr/bin/env bash
# Smoke test of a built EvidenceDesk: the bundle (dist/EvidenceDesk, /opt/evidence-desk) or an installed
# launcher (/usr/bin/evidence-desk), run in a bare environment — `env -i`, no venv, no PYTHONPATH, a
# fresh HOME — from a scratch folder, so nothing of the source tree can help it.
#
#   packaging/smoke.sh BUNDLE_DIR|EXECUTABLE
#
# Checks: --version; `claims` on the sample report and on a PDF; init, import, ingest --wait (text and thumbnails are
# made in the parser's child process, which a frozen build starts as itself), status --json and verify on
# a new workspace; the GUI offscreen on the demo workspace, closing itself once its main window is shown
# (--smoke); `export` of that demo workspace with a binder (openpyxl, fpdf2 with the shipped fonts, pikepdf
# and qpdf) and `verify` of the package, then of a copy with one byte of one member changed (exit 1, that
# member named); the log file written where the user data folder is. EXPECTED_VERSION=x.y.z also checks
# the version. Exits non-zero at the first failure. The Windows twin is packaging/windows/smoke.ps1.
set -euo pipefail

TARGET="${1:?usage: packaging/smoke.sh BUNDLE_DIR|EXECUTABLE}"
if [ -d "$TARGET" ]; then EXE="$(cd "$TARGET" && pwd)/evidence-desk"; else EXE="$TARGET"; fi
[ -x "$EXE" ] || { echo "smoke: no executable at $EXE" >&2; exit 2; }
EXE_REAL="$(readlink -f "$EXE")"  # what a frozen build starts as its parser child (its sys.executable)
SAMPLES="$(cd "$(dirname "$0")/../resources/samples" && pwd)"
REPORT="$SAMPLES/zhanjiang-shebao-2024-self-evaluation.txt"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home" "$T/watch"
cd "$T"

bare() { env -i HOME="$T/home" PATH=/usr/bin:/bin "$@"; }
step() { printf 'smoke: %-40s' "$1"; }
ok() { echo "ok${1:+ ($1)}"; }
fail() { echo "FAILED: $1" >&2; exit 1; }

step "--version"
VERSION_LINE="$(bare "$EXE" --version)" || fail "--version exited $?"
[[ "$VERSION_LINE" =~ ^佐证台\ EvidenceDesk\ ([0-9][^ ]*)$ ]] || fail "unexpected --version output: $VERSION_LINE"
VERSION="${BASH_REMATCH[1]}"
if [ -n "${EXPECTED_VERSION:-}" ] && [ "$VERSION" != "$EXPECTED_VERSION" ]; then
  fail "version $VERSION, expected $EXPECTED_VERSION"
fi
ok "$VERSION"

step "claims on the sample report"
bare "$EXE" claims "$REPORT" --json > claims.json || fail "claims exited $?"
N_CLAIMS="$(grep -c '"value_raw"' claims.json || true)"
[ "$N_CLAIMS" -ge 50 ] || fail "only $N_CLAIMS claims found in the sample report"
ok "$N_CLAIMS claims"

# A PDF report goes through pdfplumber, pdfminer and cryptography (its cffi backend): modules a frozen
# build must not have left out, which the text report above never touches.
step "claims on a PDF"
PDF="$SAMPLES/evidence/2024年度部门决算报表（收入支出决算总表）.pdf"
bare "$EXE" claims "$PDF" --json > claims-pdf.json 2> claims-pdf.err || fail "claims on a PDF exited $?: $(cat claims-pdf.err)"
N_PDF="$(grep -c '"value_raw"' claims-pdf.json || true)"
[ "$N_PDF" -ge 1 ] || fail "no claim read from $PDF"
ok "$N_PDF claims"

step "init"
bare "$EXE" init "$T/ws" --watch "$T/watch" --json > init.json || fail "init exited $?"
ok

step "import"
bare "$EXE" import "$T/ws" "$REPORT" --json > import.json || fail "import exited $?"
grep -q '"claims": [1-9]' import.json || fail "import found no claims: $(head -c 300 import.json)"
ok

step "ingest --wait"
N_FILES=0
for f in "$SAMPLES"/evidence/*; do cp "$f" "$T/watch/"; N_FILES=$((N_FILES + 1)); done
bare "$EXE" ingest "$T/ws" --wait --json > ingest.json || fail "ingest exited $?"
# Every file's text is read (done), or known to need OCR, which a build without the OCR extra has not
# (a photo: no_ocr); none may end pending or in error.
N_DONE="$(grep -c '"text_status": "done"' ingest.json || true)"
N_READ="$(grep -c -E '"text_status": "(done|no_ocr)"' ingest.json || true)"
[ "$N_READ" -eq "$N_FILES" ] && [ "$N_DONE" -ge 4 ] \
  || fail "text read for $N_READ of $N_FILES files ($N_DONE done): $(cat ingest.json)"
N_THUMBS="$(find "$T/ws/thumbs" -name '*.png' | wc -l)"
[ "$N_THUMBS" -ge 1 ] || fail "no thumbnail made (the parser's child process did not work)"
ok "$N_FILES files, text of $N_DONE, $N_THUMBS thumbnails"

step "status --json"
bare "$EXE" status "$T/ws" --json > status.json || fail "status exited $?"
grep -q "\"evidence\": $N_FILES," status.json || fail "status does not count $N_FILES files"
grep -q '"ingest_errors": 0' status.json || fail "status reports ingest errors"
ok

step "verify"
bare "$EXE" verify "$T/ws" > verify.txt 2>&1 || fail "verify exited $?: $(cat verify.txt)"
ok

step "GUI offscreen on the demo workspace"
GUI_OUT="$(bare QT_QPA_PLATFORM=offscreen timeout 300 "$EXE" --demo --smoke --actor 冒烟测试 --role editor 2>gui.err)" \
  || fail "GUI exited $?: $(tail -5 gui.err)"
[[ "$GUI_OUT" == *"smoke: main window shown: True"* ]] || fail "the main window was not shown: $GUI_OUT"
ok

# fpdf2 (LGPL-3.0) ships as source a user can replace, not inside the executable's archive.
step "fpdf2 as replaceable source"
FPDF_DIR="$(dirname "$EXE_REAL")/_internal/fpdf"
[ -f "$FPDF_DIR/fpdf.py" ] && [ -f "$FPDF_DIR/__init__.py" ] || fail "no fpdf2 source in $FPDF_DIR"
ok "$(find "$FPDF_DIR" -name '*.py' | wc -l) files"

# The export: the package (目录.xlsx, 完整性报告.pdf, package.db) and the binder, with what only an export
# reaches — openpyxl, fpdf2 and fontTools with the fonts in resources/fonts, pikepdf's qpdf library.
step "export of the demo workspace (+ binder)"
DEMO="$T/home/.local/share/evidence-desk/demo-workspace"
[ -d "$DEMO" ] || fail "no demo workspace at $DEMO after the GUI run"
bare "$EXE" --actor 冒烟测试 --role editor export "$DEMO" "$T/材料包.zip" --binder "$T/汇编.pdf" --json \
  > export.json 2> export.err || fail "export exited $?: $(tail -5 export.err)"
grep -q '"recorded": true' export.json || fail "the export was not recorded: $(head -c 400 export.json)"
PAGES="$(grep -o '"binder_pages": [0-9]*' export.json | grep -o '[0-9]*$')"
[ "${PAGES:-0}" -ge 5 ] && [ "$(head -c 5 "$T/汇编.pdf")" = "%PDF-" ] || fail "no binder: $(head -c 400 export.json)"
ok "$(du -k "$T/材料包.zip" | cut -f1) KB package, binder of $PAGES pages"

step "verify the package"
bare "$EXE" verify "$T/材料包.zip" --json > verify-package.json 2>&1 \
  || fail "verify of the package exited $?: $(head -c 600 verify-package.json)"
grep -q '"ok": true' verify-package.json || fail "verify: $(head -c 600 verify-package.json)"
ok "$(grep -o '"members": [0-9]*' verify-package.json | grep -o '[0-9]*$') members"

# One byte in the middle of the package's largest evidence member changed (the member's data offset read
# with the system's python3 and its zipfile, a helper only): verify must exit 1 and name that member.
if command -v python3 >/dev/null 2>&1; then
  step "verify a package changed by one byte"
  cp "$T/材料包.zip" "$T/changed.zip"
  MEMBER="$(python3 - "$T/changed.zip" <<'PY'
import struct, sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as zf:
    info = max((i for i in zf.infolist() if i.filename.startswith("佐证材料/")), key=lambda i: i.file_size)
with open(path, "r+b") as f:
    f.seek(info.header_offset + 26)
    name_len, extra_len = struct.unpack("<HH", f.read(4))
    at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    f.seek(at)
    byte = f.read(1)[0]
    f.seek(at)
    f.write(bytes([byte ^ 0xFF]))
print(info.filename)
PY
)" || fail "could not change the copy"
  CODE=0
  bare "$EXE" verify "$T/changed.zip" --json > verify-changed.json 2>&1 || CODE=$?
  [ "$CODE" -eq 1 ] || fail "verify of the changed package exited $CODE, not 1: $(head -c 600 verify-changed.json)"
  grep -q "\"path\": \"$MEMBER\"" verify-changed.json || fail "verify did not name $MEMBER: $(head -c 600 verify-changed.json)"
  [ "$(grep -c '"path": ' verify-changed.json)" -eq 1 ] || fail "verify named more than $MEMBER: $(head -c 900 verify-changed.json)"
  ok "exit 1, ${MEMBER##*/}"
fi

step "log file"
LOG="$(find "$T/home" -name evidence-desk.log | head -1)"
[ -n "$LOG" ] && grep -q "start gui: EvidenceDesk $VERSION" "$LOG" || fail "no log with the GUI's start in $T/home"
grep -q "parser child [0-9]* started: $EXE_REAL --evidence-desk-parse-child" "$LOG" \
  || fail "the log shows no parser child started as the app itself ($EXE_REAL)"
ok "${LOG#"$T/home/"}"

echo "smoke: all passed ($EXE)"
