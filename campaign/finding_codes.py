"""Every finding's stable code, as a `FindingCode` member.

A finding code is what tests, filters, the JSON output and the master's "Mã (cho bộ phận hỗ trợ)"
column carry, so a member's value is the string they have always carried. Naming a member that
does not exist is an AttributeError at import, not a KeyError on the day that check runs. The
texts are in `findings.MESSAGES`; the codes live apart from them because `numbers.py`, which
`findings.py` imports for its number rule, writes codes too.
"""

from __future__ import annotations

from enum import StrEnum


class FindingCode(StrEnum):
    """One member per entry of `findings.MESSAGES` (checked when findings.py is imported)."""

    # award criteria (Law 06/2022/QH15 and its decrees)
    KHEN_THUONG_CAN_LDTT = "khen_thuong.can_ldtt"
    KHEN_THUONG_TRUNG = "khen_thuong.trung"
    KHEN_THUONG_TY_LE = "khen_thuong.ty_le"
    # evidence (minh chứng)
    MINH_CHUNG_THIEU = "minh_chung.thieu"
    MINH_CHUNG_DE_NGHI = "minh_chung.de_nghi"
    MINH_CHUNG_LIEN_KET = "minh_chung.lien_ket"
    MINH_CHUNG_SANG_KIEN = "minh_chung.sang_kien"
    MINH_CHUNG_KHONG_CO_TEP = "minh_chung.khong_co_tep"
    # signatures on the shared folder (who wrote a report)
    CHU_KY_SAI = "chu_ky.sai"
    CHU_KY_BAN_CU = "chu_ky.ban_cu"
    CHU_KY_CHUA_KY = "chu_ky.chua_ky"
    CHU_KY_CHUA_KY_CON_HAN = "chu_ky.chua_ky_con_han"
    CHU_KY_DUYET_BI_SUA = "chu_ky.duyet_bi_sua"
    # review: a reason of a return, shown at its row until the next push
    DUYET_TRA_LAI = "duyet.tra_lai"
    # numbers as typed
    SO_KHONG_PHAI_SO = "so.khong_phai_so"
    SO_LA_NGAY = "so.la_ngay"
    SO_LOI_EXCEL = "so.loi_excel"
    SO_CO_PHAN_TRAM = "so.co_phan_tram"
    SO_KHONG_NGUYEN = "so.khong_nguyen"
    SO_MO_HO = "so.mo_ho"
    SO_DA_HIEU_HANG_NGHIN = "so.da_hieu_hang_nghin"
    SO_PHAN_SO_THAY_PHAN_TRAM = "so.phan_so_thay_phan_tram"
    SO_LUU_DANG_CHU = "so.luu_dang_chu"
    SO_CHU_CHI_TIEN = "so.chu_chi_tien"
    SO_NGOAI_KHOANG = "so.ngoai_khoang"
    CHI_TIEU_THANH_PHAN_VUOT_TONG = "chi_tieu.thanh_phan_vuot_tong"
    SO_AM = "so.am"
    # what the workbook's own formulas say (campaign/formulas.py) and what they cannot do
    CONG_THUC_O_CHU = "cong_thuc.o_chu"
    CONG_THUC_KHONG_TINH = "cong_thuc.khong_tinh"
    CONG_THUC_BI_SUA = "cong_thuc.bi_sua"
    # target rows
    CHI_TIEU_THIEU_SO_LIEU = "chi_tieu.thieu_so_lieu"
    CHI_TIEU_MAU_SO_BANG_0 = "chi_tieu.mau_so_bang_0"
    CHI_TIEU_TU_SO_LON_HON_MAU_SO = "chi_tieu.tu_so_lon_hon_mau_so"
    CHI_TIEU_THU_HANG = "chi_tieu.thu_hang"
    CHI_TIEU_MUC_DO = "chi_tieu.muc_do"
    CHI_TIEU_TANG_BAT_THUONG = "chi_tieu.tang_bat_thuong"
    CHI_TIEU_TU_DANH_GIA = "chi_tieu.tu_danh_gia"
    CHI_TIEU_BI_SUA = "chi_tieu.bi_sua"
    CHI_TIEU_TRANG_BI_SUA = "chi_tieu.trang_bi_sua"
    CHI_TIEU_TRUNG_DONG = "chi_tieu.trung_dong"
    CHI_TIEU_THIEU_DONG = "chi_tieu.thieu_dong"
    CHI_TIEU_KHONG_GIAO = "chi_tieu.khong_giao"
    CHI_TIEU_LA = "chi_tieu.la"
    # own targets
    RIENG_THIEU = "rieng.thieu"
    RIENG_TRUNG_MA = "rieng.trung_ma"
    RIENG_CACH_DANH_GIA = "rieng.cach_danh_gia"
    RIENG_MUC_TIEU = "rieng.muc_tieu"
    # information sheet and metadata
    THONG_TIN_DON_VI = "thong_tin.don_vi"
    THONG_TIN_DON_VI_LA = "thong_tin.don_vi_la"
    THONG_TIN_CHIEN_DICH = "thong_tin.chien_dich"
    THONG_TIN_DINH_NGHIA_DOI = "thong_tin.dinh_nghia_doi"
    THONG_TIN_KY = "thong_tin.ky"
    THONG_TIN_THIEU = "thong_tin.thieu"
    THONG_TIN_EMAIL = "thong_tin.email"
    THONG_TIN_NGAY = "thong_tin.ngay"
    # task groups, models, proposals
    NHIEM_VU_THIEU_MUC = "nhiem_vu.thieu_muc"
    NHIEM_VU_MUC_LA = "nhiem_vu.muc_la"
    NHIEM_VU_PHAN_TRAM = "nhiem_vu.phan_tram"
    NHIEM_VU_MAU_THUAN = "nhiem_vu.mau_thuan"
    MO_HINH_THIEU = "mo_hinh.thieu"
    MO_HINH_LOAI = "mo_hinh.loai"
    KHEN_THUONG_THIEU = "khen_thuong.thieu"
    KHEN_THUONG_HINH_THUC = "khen_thuong.hinh_thuc"
    KHEN_THUONG_DOI_TUONG = "khen_thuong.doi_tuong"
    KHEN_THUONG_VUOT_THAM_QUYEN = "khen_thuong.vuot_tham_quyen"
    VAN_BAN_QUA_DAI = "van_ban.qua_dai"
    # whole file
    TEP_O_NGOAI_VUNG = "tep.o_ngoai_vung"
    TEP_CHUA_DIEN = "tep.chua_dien"
    # Tổng hợp: what the consolidation noticed across the files it received
    TONG_HOP_BAN_NOP = "tong_hop.ban_nop"


FC = FindingCode  # the short name the checks import
