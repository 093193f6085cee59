@echo off
rem thidua: install for this user (no admin rights, no network). Run from the unzipped folder.
setlocal
chcp 65001 >nul
set "PYTHONUTF8=1"
"%~dp0python\python.exe" -I -X utf8 -m macros.windows_install cai-dat "%~dp0."
set "RESULT=%ERRORLEVEL%"
if not defined THIDUA_NO_PAUSE pause
exit /b %RESULT%
