# Smoke test of a built EvidenceDesk on Windows: the twin of packaging/smoke.sh.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\smoke.ps1 -Bundle dist\EvidenceDesk [-ExpectedVersion 0.1.0]
#
# Each run gets a bare environment (only SystemRoot, a minimal PATH, TEMP, and a fresh profile and
# AppData: no venv, no PYTHONPATH), from a scratch folder. Checks: --version; `claims` on the sample report
# and on a PDF;
# init, import, ingest --wait, status --json and verify on a new workspace (text and thumbnails come from
# the parser's child process, which a frozen build starts as evidence-desk.exe); the GUI offscreen on the
# demo workspace, closing itself once its main window is shown (--smoke), through the console twin (its
# output is read) and through the windowed EvidenceDesk.exe (its exit code and the log are); fpdf2's
# source in _internal\fpdf; export of the demo workspace with a binder and verify of the package; the log
# file in %APPDATA%\EvidenceDesk\logs.
param(
    [Parameter(Mandatory = $true)][string]$Bundle,
    [string]$ExpectedVersion = ""
)
$ErrorActionPreference = "Stop"
$Bundle = (Resolve-Path $Bundle).Path
$Cli = Join-Path $Bundle "evidence-desk.exe"
$Gui = Join-Path $Bundle "EvidenceDesk.exe"
foreach ($exe in @($Cli, $Gui)) { if (-not (Test-Path $exe)) { Write-Error "no executable at $exe"; exit 2 } }
$Samples = (Resolve-Path (Join-Path $PSScriptRoot "..\..\resources\samples")).Path
$Report = Join-Path $Samples "zhanjiang-shebao-2024-self-evaluation.txt"

$T = Join-Path ([System.IO.Path]::GetTempPath()) ("ed-smoke-" + [guid]::NewGuid().ToString("N"))
$HomeDir = Join-Path $T "home"
$AppData = Join-Path $HomeDir "AppData\Roaming"
$LocalAppData = Join-Path $HomeDir "AppData\Local"
$Watch = Join-Path $T "watch"
$Ws = Join-Path $T "ws"
New-Item -ItemType Directory -Force -Path $AppData, $LocalAppData, $Watch | Out-Null

function Invoke-Bare([string]$Exe, [string[]]$Arguments, [hashtable]$Extra = @{}, [int]$TimeoutSec = 300) {
    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = $Exe
    $psi.Arguments = ($Arguments | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join " "
    $psi.WorkingDirectory = $T
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.StandardOutputEncoding = [System.Text.Encoding]::UTF8
    $psi.StandardErrorEncoding = [System.Text.Encoding]::UTF8
    $psi.EnvironmentVariables.Clear()
    $vars = @{
        SystemRoot = $env:SystemRoot; windir = $env:SystemRoot; PATH = "$env:SystemRoot\System32;$env:SystemRoot"
        TEMP = $T; TMP = $T; USERPROFILE = $HomeDir; HOMEDRIVE = $HomeDir.Substring(0, 2)
        HOMEPATH = $HomeDir.Substring(2); APPDATA = $AppData; LOCALAPPDATA = $LocalAppData
    }
    foreach ($k in $Extra.Keys) { $vars[$k] = $Extra[$k] }
    foreach ($k in $vars.Keys) { $psi.EnvironmentVariables[$k] = $vars[$k] }
    $p = [System.Diagnostics.Process]::Start($psi)
    $outTask = $p.StandardOutput.ReadToEndAsync()
    $errTask = $p.StandardError.ReadToEndAsync()
    if (-not $p.WaitForExit($TimeoutSec * 1000)) { $p.Kill(); throw "$Exe $Arguments did not end in $TimeoutSec s" }
    $p.WaitForExit()
    return [pscustomobject]@{ Code = $p.ExitCode; Out = $outTask.Result; Err = $errTask.Result }
}

function Step([string]$Name) { Write-Host -NoNewline ("smoke: {0,-40}" -f $Name) }
function Ok([string]$Note = "") { if ($Note) { Write-Host "ok ($Note)" } else { Write-Host "ok" } }
function Fail([string]$Why) { Write-Host "FAILED: $Why"; Remove-Item -Recurse -Force $T -ErrorAction SilentlyContinue; exit 1 }
function Count([string]$Text, [string]$Pattern) { return ([regex]::Matches($Text, $Pattern)).Count }

Step "--version"
$r = Invoke-Bare $Cli @("--version")
if ($r.Code -ne 0) { Fail "--version exited $($r.Code): $($r.Err)" }
$m = [regex]::Match($r.Out.Trim(), '^佐证台 EvidenceDesk (\d\S*)$')
if (-not $m.Success) { Fail "unexpected --version output: $($r.Out)" }
$Version = $m.Groups[1].Value
if ($ExpectedVersion -and $Version -ne $ExpectedVersion) { Fail "version $Version, expected $ExpectedVersion" }
Ok $Version

Step "claims on the sample report"
$r = Invoke-Bare $Cli @("claims", $Report, "--json")
if ($r.Code -ne 0) { Fail "claims exited $($r.Code): $($r.Err)" }
$n = Count $r.Out '"value_raw"'
if ($n -lt 50) { Fail "only $n claims found in the sample report" }
Ok "$n claims"

Step "claims on a PDF"
$pdf = Join-Path $Samples "evidence\2024年度部门决算报表（收入支出决算总表）.pdf"
$r = Invoke-Bare $Cli @("claims", $pdf, "--json")
if ($r.Code -ne 0) { Fail "claims on a PDF exited $($r.Code): $($r.Err)" }
$n = Count $r.Out '"value_raw"'
if ($n -lt 1) { Fail "no claim read from $pdf" }
Ok "$n claims"

Step "init"
$r = Invoke-Bare $Cli @("init", $Ws, "--watch", $Watch, "--json")
if ($r.Code -ne 0) { Fail "init exited $($r.Code): $($r.Err)" }
Ok

Step "import"
$r = Invoke-Bare $Cli @("import", $Ws, $Report, "--json")
if ($r.Code -ne 0 -or -not ($r.Out -match '"claims": [1-9]')) { Fail "import: $($r.Code) $($r.Err) $($r.Out)" }
Ok

Step "ingest --wait"
$files = Get-ChildItem -File (Join-Path $Samples "evidence")
foreach ($f in $files) { Copy-Item $f.FullName $Watch }
$r = Invoke-Bare $Cli @("ingest", $Ws, "--wait", "--json")
if ($r.Code -ne 0) { Fail "ingest exited $($r.Code): $($r.Err)" }
$done = Count $r.Out '"text_status": "done"'
$read = Count $r.Out '"text_status": "(done|no_ocr)"'
if ($read -ne $files.Count -or $done -lt 4) { Fail "text read for $read of $($files.Count) files ($done done): $($r.Out)" }
$thumbs = @(Get-ChildItem -Recurse -File -Filter *.png (Join-Path $Ws "thumbs")).Count
if ($thumbs -lt 1) { Fail "no thumbnail made (the parser's child process did not work)" }
Ok "$($files.Count) files, text of $done, $thumbs thumbnails"

Step "status --json"
$r = Invoke-Bare $Cli @("status", $Ws, "--json")
if ($r.Code -ne 0) { Fail "status exited $($r.Code): $($r.Err)" }
if (-not ($r.Out -match ('"evidence": ' + $files.Count + ','))) { Fail "status does not count $($files.Count) files" }
if (-not ($r.Out -match '"ingest_errors": 0')) { Fail "status reports ingest errors" }
Ok

Step "verify"
$r = Invoke-Bare $Cli @("verify", $Ws)
if ($r.Code -ne 0) { Fail "verify exited $($r.Code): $($r.Out) $($r.Err)" }
Ok

Step "GUI offscreen (console twin)"
$r = Invoke-Bare $Cli @("--demo", "--smoke", "--actor", "冒烟测试", "--role", "editor") @{ QT_QPA_PLATFORM = "offscreen" }
if ($r.Code -ne 0) { Fail "GUI exited $($r.Code): $($r.Err)" }
if (-not $r.Out.Contains("smoke: main window shown: True")) { Fail "the main window was not shown: $($r.Out)" }
Ok

Step "GUI offscreen (EvidenceDesk.exe)"
$r = Invoke-Bare $Gui @("--demo", "--smoke", "--actor", "冒烟测试", "--role", "editor") @{ QT_QPA_PLATFORM = "offscreen" }
if ($r.Code -ne 0) { Fail "EvidenceDesk.exe exited $($r.Code)" }
Ok

Step "fpdf2 as replaceable source"
$fpdfDir = Join-Path $Bundle "_internal\fpdf"
if (-not (Test-Path (Join-Path $fpdfDir "fpdf.py"))) { Fail "no fpdf2 source in $fpdfDir" }
Ok

Step "export of the demo workspace (+ binder)"
$demo = Join-Path $AppData "EvidenceDesk\demo-workspace"
if (-not (Test-Path $demo)) { Fail "no demo workspace at $demo after the GUI run" }
$zip = Join-Path $T "材料包.zip"
$binder = Join-Path $T "汇编.pdf"
$r = Invoke-Bare $Cli @("--actor", "冒烟测试", "--role", "editor", "export", $demo, $zip, "--binder", $binder, "--json")
if ($r.Code -ne 0) { Fail "export exited $($r.Code): $($r.Err)" }
if (-not ($r.Out -match '"recorded": true')) { Fail "the export was not recorded: $($r.Out)" }
$pages = [regex]::Match($r.Out, '"binder_pages": (\d+)')
if (-not $pages.Success -or [int]$pages.Groups[1].Value -lt 5) { Fail "no binder: $($r.Out)" }
Ok "binder of $($pages.Groups[1].Value) pages"

Step "verify the package"
$r = Invoke-Bare $Cli @("verify", $zip, "--json")
if ($r.Code -ne 0 -or -not ($r.Out -match '"ok": true')) { Fail "verify of the package exited $($r.Code): $($r.Out) $($r.Err)" }
Ok

Step "log file"
$log = Join-Path $AppData "EvidenceDesk\logs\evidence-desk.log"
if (-not (Test-Path $log)) { Fail "no log at $log" }
$text = Get-Content -Raw -Encoding UTF8 $log
if ((Count $text "start gui: EvidenceDesk $([regex]::Escape($Version))") -lt 2) { Fail "the log does not show both GUI starts" }
if (-not ($text -match 'parser child \d+ started: .*evidence-desk\.exe --evidence-desk-parse-child')) {
    Fail "the log shows no parser child started as evidence-desk.exe"
}
Ok "AppData\Roaming\EvidenceDesk\logs\evidence-desk.log"

Remove-Item -Recurse -Force $T -ErrorAction SilentlyContinue
Write-Host "smoke: all passed ($Bundle)"
exit 0
