; Inno Setup 6 script: a per-user installer for the Windows bundle in dist\deskhand\.
;
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\deskhand.spec
;   iscc /DAppVersion=<version from pyproject.toml> packaging\windows\deskhand.iss
;
; CI does both (.github/workflows/package.yml) and reads the version from pyproject.toml, so
; it is written nowhere else.  Per-user: no administrator rights, installs under
; %LOCALAPPDATA%\Programs\Deskhand, Start-menu entry for this user only, and an optional
; "start at login" task that writes the same HKCU Run value as the tray's own autostart
; toggle (app/platform/autostart.py), so either one can turn it off again.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z deskhand.iss
#endif
#define AppName "Deskhand"
; deskhand.exe is the console program (deskhand do / doctor from a terminal); deskhandw.exe
; is the same program without a console window, for the Start menu and login.
#define CliExe "deskhand.exe"
#define TrayExe "deskhandw.exe"
#define BundleDir "..\..\dist\deskhand"
#define RunKey "Software\Microsoft\Windows\CurrentVersion\Run"
#define RunValue "Deskhand"

[Setup]
; Never change AppId: it is how upgrades and the uninstaller find the installed copy.
AppId={{A62085D9-B3C0-49B2-8249-6B526899D0FC}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Deskhand developers
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={userpf}\{#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
OutputDir=..\..\dist
OutputBaseFilename=deskhand-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\assets\deskhand.ico
UninstallDisplayIcon={app}\{#TrayExe}
UninstallDisplayName={#AppName}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running Deskhand (Restart Manager) before replacing or removing its files.
CloseApplications=yes
RestartApplications=no

[Tasks]
Name: "autostart"; Description: "Start {#AppName} when I sign in"; Flags: unchecked
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\{#TrayExe}"; Comment: "Local desktop agent"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#TrayExe}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "{#RunKey}"; ValueType: string; ValueName: "{#RunValue}"; \
    ValueData: """{app}\{#TrayExe}"""; Tasks: autostart; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#TrayExe}"; Description: "Start {#AppName} now"; Flags: nowait postinstall skipifsilent

[Code]
// The tray's own "Start at login" toggle may have written the Run value without the task:
// remove it on uninstall either way, so no login entry points at deleted files.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RegDeleteValue(HKEY_CURRENT_USER, '{#RunKey}', '{#RunValue}');
end;
