; Inno Setup script for the Windows installer (untested here: see packaging/README.md).
; Build on Windows after `py dev.py package`:   iscc /DVersion=0.1.0 packaging\ptassist.iss
; The result is dist\ptassist-<version>-windows-setup.exe. Installing for the current user needs no
; administrator rights; the records stay in the user's data folder (%LOCALAPPDATA%\ptassist) across
; upgrades and uninstalls.

#ifndef Version
  #define Version "0.1.0"
#endif

[Setup]
; A fixed AppId: a newer installer upgrades the installed copy in place.
AppId={{6E3F1D2A-8C4B-4C3E-9B7A-2F5D0A1C9E41}
AppName=ptassist
AppVersion={#Version}
AppVerName=ptassist {#Version}
AppPublisher=ptassist team
DefaultDirName={autopf}\ptassist
DefaultGroupName=ptassist
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=ptassist-{#Version}-windows-setup
SetupIconFile=..\build\icons\ptassist.ico
UninstallDisplayIcon={app}\ptassist.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; The previous version's program files go before the new ones arrive (never the records).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\ptassist\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\ptassist"; Filename: "{app}\ptassist.exe"; AppUserModelID: "org.ptassist.ptassist"
Name: "{autodesktop}\ptassist"; Filename: "{app}\ptassist.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\ptassist.exe"; Description: "{cm:LaunchProgram,ptassist}"; Flags: nowait postinstall skipifsilent
