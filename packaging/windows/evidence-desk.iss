; Inno Setup 6 script: the Windows installer of EvidenceDesk (佐证台), from the PyInstaller bundle.
;
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\evidence-desk.iss
;
; Run by packaging\windows\build.ps1 after the bundle (dist\EvidenceDesk) and the icons (build\icons) are
; made. Installs per user by default (no administrator rights needed on an office PC; an administrator may
; choose "all users"), adds a Start-menu entry and an uninstaller. The program's folder holds only the
; program: settings, the log and the demo workspace live in the user's %APPDATA%\EvidenceDesk, and
; workspaces wherever the user puts them. The uninstaller removes the program and leaves those alone —
; they are the user's records.
; This file is UTF-8 with a byte-order mark (Inno Setup needs it for the Chinese names).

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z (packaging\windows\build.ps1 does)
#endif
#define Root "..\.."

[Setup]
AppId={{3B5E2A0C-8E51-4D7B-9C1E-6F2A4D9B7E10}
AppName=佐证台 EvidenceDesk
AppVersion={#AppVersion}
AppVerName=佐证台 EvidenceDesk {#AppVersion}
AppPublisher=EvidenceDesk
DefaultDirName={autopf}\EvidenceDesk
DefaultGroupName=佐证台
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Root}\dist
OutputBaseFilename=EvidenceDesk-{#AppVersion}-setup
SetupIconFile={#Root}\build\icons\evidence-desk.ico
UninstallDisplayIcon={app}\EvidenceDesk.exe
UninstallDisplayName=佐证台 EvidenceDesk {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\EvidenceDesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\佐证台 EvidenceDesk"; Filename: "{app}\EvidenceDesk.exe"; IconFilename: "{app}\EvidenceDesk.exe"
Name: "{group}\卸载佐证台"; Filename: "{uninstallexe}"
Name: "{autodesktop}\佐证台"; Filename: "{app}\EvidenceDesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\EvidenceDesk.exe"; Description: "{cm:LaunchProgram,佐证台}"; Flags: nowait postinstall skipifsilent
