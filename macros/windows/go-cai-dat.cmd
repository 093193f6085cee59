@echo off
rem thidua: remove what cai-dat.cmd added, and nothing else.
setlocal
chcp 65001 >nul
set "PYTHONUTF8=1"
set "TARGET=%LOCALAPPDATA%\thidua"
set "PY=%TARGET%\python\python.exe"
if not exist "%PY%" set "PY=%~dp0python\python.exe"
"%PY%" -I -X utf8 -m macros.windows_install go-cai-dat
set "RESULT=%ERRORLEVEL%"
if not "%RESULT%"=="0" goto failed
if not defined THIDUA_NO_PAUSE pause
cd /d "%TEMP%"
rem One line, read whole before rd deletes the folder this script may itself be in. A folder
rem still held (Wine keeps the running script open) goes a few seconds later, from a detached cmd.
rd /s /q "%TARGET%" 2>nul & (if exist "%TARGET%" start "" /b cmd /c "ping -n 3 127.0.0.1 >nul & rd /s /q "%TARGET%"") & exit /b 0
:failed
if not defined THIDUA_NO_PAUSE pause
exit /b %RESULT%
