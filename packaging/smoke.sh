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
# (--smoke); the log file written where the user data folder is. EXPECTED_VERSION=x.y.z also checks the
# version. Exits non-zero at the first failure. The Windows twin is packaging/windows/smoke.ps1.
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

step "log file"
LOG="$(find "$T/home" -name evidence-desk.log | head -1)"
[ -n "$LOG" ] && grep -q "start gui: EvidenceDesk $VERSION" "$LOG" || fail "no log with the GUI's start in $T/home"
grep -q "parser child [0-9]* started: $EXE_REAL --evidence-desk-parse-child" "$LOG" \
  || fail "the log shows no parser child started as the app itself ($EXE_REAL)"
ok "${LOG#"$T/home/"}"

echo "smoke: all passed ($EXE)"
