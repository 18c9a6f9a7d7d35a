# Build EvidenceDesk on Windows: the PyInstaller bundle dist\EvidenceDesk\ (the same spec as Linux), its
# smoke test, and the Inno Setup installer dist\EvidenceDesk-<version>-setup.exe.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#
# Needs Python 3.11+ (python.org installer: its SQLite has FTS5) on PATH as `python`, and Inno Setup 6
# (ISCC.exe on PATH or in its default folder). Run by .github/workflows/windows.yml on a Windows runner.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

if (-not (Test-Path .venv\Scripts\python.exe)) {
    Write-Host "==> creating .venv"
    python -m venv .venv
    if ($LASTEXITCODE -ne 0) { throw "python -m venv failed" }
}
$py = (Resolve-Path .venv\Scripts\python.exe).Path
& $py -m pip install -q --upgrade pip
& $py -m pip install -q -e ".[test,package]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

$version = (& $py -c "from desktop.version import app_version; print(app_version())").Trim()
& $py packaging\check_fonts.py resources\fonts
if ($LASTEXITCODE -ne 0) { throw "a font has no licence beside it" }

Write-Host "==> building dist\EvidenceDesk (EvidenceDesk $version)"
if (Test-Path dist\EvidenceDesk) { Remove-Item -Recurse -Force dist\EvidenceDesk }
& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build packaging\evidence-desk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
$size = (Get-ChildItem -Recurse -File dist\EvidenceDesk | Measure-Object -Property Length -Sum).Sum / 1MB
Write-Host ("==> bundle: {0:N0} MB unpacked" -f $size)

Write-Host "==> smoke test of the bundle"
& (Join-Path $PSScriptRoot "smoke.ps1") -Bundle dist\EvidenceDesk -ExpectedVersion $version
if ($LASTEXITCODE -ne 0) { throw "smoke test failed" }

Write-Host "==> building the installer"
$iscc = Get-Command ISCC.exe -ErrorAction SilentlyContinue
if ($iscc) { $iscc = $iscc.Source } else { $iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "Inno Setup 6 (ISCC.exe) not found" }
& $iscc /Qp "/DAppVersion=$version" packaging\windows\evidence-desk.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed" }
Write-Host "==> done: dist\EvidenceDesk and dist\EvidenceDesk-$version-setup.exe"
