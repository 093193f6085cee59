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
        Case "btnDuyet": handler = "duyet"
        Case "btnTraLai": handler = "tra_lai"
        Case Else
            MsgBox "Unknown button: " & control.Id, vbExclamation, "Thi dua"
            Exit Sub
    End Select
    If handler = "tra_lai" Then AskReason
    RunPython "import xl_addin.handlers as h; h." & handler & "()"
End Sub

' Tra lai: the reason goes into column L of each selected row (the sheet's reason column), so
' Python reads it like any cell; left empty, the rows keep what was typed there.
Private Sub AskReason()
    Dim reason As String, r As Range
    reason = InputBox("Ly do tra lai (de trong neu da go o cot L):", "Thi dua")
    If reason = "" Then Exit Sub
    For Each r In Selection.Rows
        ActiveSheet.Cells(r.Row, 12).Value = reason
    Next r
End Sub
