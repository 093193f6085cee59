Attribute VB_Name = "ThiDuaRibbon"
Option Explicit
' Ribbon callback for the "Thi dua" tab. Classic xlwings has no ribbon callback that tells
' buttons apart, so every button calls OnButton and this hands its id to Python, where
' xl_addin/handlers.py does the work. Keep this module tiny and ASCII (VBA source is stored
' in the ANSI code page; the Vietnamese labels live in customUI.xml).

Public Sub OnButton(control As IRibbonControl)
    Dim handler As String
    Select Case control.Id
        Case "btnKiemTra": handler = "kiem_tra"
        Case "btnTinhTienDo": handler = "tinh_tien_do"
        Case "btnGuiBaoCao": handler = "gui_bao_cao"
        Case "btnLayVe": handler = "lay_ve"
        Case "btnTongHop": handler = "tong_hop"
        Case "btnXuatBaoCao": handler = "xuat_bao_cao"
        Case Else
            MsgBox "Unknown button: " & control.Id, vbExclamation, "Thi dua"
            Exit Sub
    End Select
    RunPython "import xl_addin.handlers as h; h." & handler & "()"
End Sub
