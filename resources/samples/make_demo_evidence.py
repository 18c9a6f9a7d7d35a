"""Regenerate the demo workspace's evidence files in ``resources/samples/evidence/``.

Run: ``QT_QPA_PLATFORM=offscreen python resources/samples/make_demo_evidence.py``

The files are small, realistic 佐证材料 for the sample report: a bank slip (PDF), a ledger (XLSX), a
payment list (XLSX), meeting minutes (DOCX), a final-accounts page (PDF) and a photo of a service point
(JPEG). Their figures restate some of the report's claims in other scales and formats (658.83 万元 →
6,588,300.00 元), which is what the suggestion engine has to see through.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPageSize, QPdfWriter, QPen

OUT = Path(__file__).resolve().parent / "evidence"
FONT = "WenQuanYi Micro Hei"


def _pdf(path: Path, pages: list[list[tuple[str, int, bool]]]) -> None:
    """Each page: lines of (text, point size, bold)."""
    w = QPdfWriter(str(path))
    w.setPageSize(QPageSize(QPageSize.A4))
    w.setResolution(150)
    w.setCreator("EvidenceDesk demo")
    p = QPainter(w)
    for n, lines in enumerate(pages):
        if n:
            w.newPage()
        y = 120
        for text, size, bold in lines:
            f = QFont(FONT)
            f.setPointSize(size)
            f.setBold(bold)
            p.setFont(f)
            p.drawText(110, y, text)
            y += int(size * 3.2)
    p.end()


def bank_slip() -> None:
    _pdf(
        OUT / "指标3.1_追回待遇_银行回单.pdf",
        [
            [
                ("中国工商银行 业务回单（收款）", 16, True),
                ("", 8, False),
                ("回单编号：2024122700318856", 10, False),
                ("日期：2024年12月27日", 10, False),
                ("付款人户名：湛江市社会保险基金管理局（追回待遇过渡户）", 10, False),
                ("收款人户名：湛江市社会保险基金财政专户", 10, False),
                ("收款人账号：2015 0211 0902 4567 891", 10, False),
                ("金额（小写）：¥6,588,300.00", 12, True),
                ("金额（大写）：人民币陆佰伍拾捌万捌仟叁佰元整", 10, False),
                ("用途：追回多发社保待遇款项汇总划转", 10, False),
                ("摘要：2024年度疑点数据核查追回待遇", 10, False),
                ("", 8, False),
                ("本回单仅作记账依据，不作收付款凭证", 8, False),
            ]
        ],
    )


def final_accounts() -> None:
    _pdf(
        OUT / "2024年度部门决算报表（收入支出决算总表）.pdf",
        [
            [
                ("收入支出决算总表", 16, True),
                ("部门：湛江市社会保险基金管理局        单位：万元", 10, False),
                ("", 8, False),
                ("项目                                   年初预算数        决算数", 10, True),
                ("一、一般公共预算财政拨款收入        34,800.93          9,071.93", 10, False),
                ("二、政府性基金预算财政拨款收入          16.09             13.00", 10, False),
                ("本年收入合计                         34,817.01          9,084.93", 10, True),
                ("", 8, False),
                ("基本支出                              1,543.66          1,546.73", 10, False),
                ("项目支出                             33,273.36          7,590.47", 10, False),
                ("本年支出合计                         34,817.01          9,137.21", 10, True),
            ],
            [
                ("填表说明", 14, True),
                ("1. 本表反映部门本年度的总收支和年末结转结余情况。", 10, False),
                ("2. 决算数以财政部门批复为准。", 10, False),
                ("- 2 -", 9, False),
            ],
        ],
    )


def ledger() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["2024年度社保待遇疑点数据核查台账"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["序号", "县（市、区）", "疑点类型", "核查条数", "已追回（元）"])
    rows = [
        ("赤坎区", "重复领取", 1834, 402113.50),
        ("霞山区", "死亡后领取", 2411, 771920.00),
        ("麻章区", "服刑期间领取", 906, 218377.25),
        ("坡头区", "重复领取", 1120, 305600.00),
        ("遂溪县", "死亡后领取", 3378, 1093288.40),
        ("徐闻县", "重复领取", 2190, 611245.10),
        ("廉江市", "死亡后领取", 3912, 1327716.30),
        ("雷州市", "服刑期间领取", 2745, 904509.45),
        ("吴川市", "重复领取", 2603, 953530.00),
    ]
    for i, (county, kind, n, amount) in enumerate(rows, 1):
        ws.append([i, county, kind, n, amount])
    total_row = ws.max_row + 1
    ws.cell(total_row, 2, "合计")
    # Literal totals: a formula written by openpyxl has no cached value for readers to show.
    ws.cell(total_row, 4, sum(r[2] for r in rows))
    ws.cell(total_row, 5, round(sum(r[3] for r in rows), 2))
    for r in range(3, total_row + 1):
        ws.cell(r, 4).number_format = "#,##0"
        ws.cell(r, 5).number_format = "#,##0.00"
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 14
    ws.column_dimensions["D"].width = 12
    ws.column_dimensions["E"].width = 16
    wb.save(OUT / "疑点数据核查台账2024.xlsx")
    assert sum(r[2] for r in rows) == 21099


def subsidy_list() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "发放明细"
    ws.append(["失业保险稳岗返还资金发放汇总表（2024年）"])
    ws.append(["批次", "发放日期", "企业户数", "发放金额（元）"])
    batches = [
        (1, "2024-05-20", 6021, 11208300.00),
        (2, "2024-07-15", 5533, 10116040.00),
        (3, "2024-09-30", 4105, 7652210.00),
        (4, "2024-12-10", 2402, 4449850.00),
    ]
    for b in batches:
        ws.append(list(b))
    ws.append(["合计", "", sum(b[2] for b in batches), round(sum(b[3] for b in batches), 2)])
    for r in range(3, 8):
        ws.cell(r, 4).number_format = "#,##0.00"
    wb.save(OUT / "稳岗返还资金发放汇总表.xlsx")
    assert round(sum(b[3] for b in batches), 2) == 33426400.00


def fund_table() -> None:
    """基金收支: 基金总收入 313.53 亿元 (rounds to 314) in the row above 基金支出 314 亿元 (exactly)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "基金收支"
    ws.append(["项目", "2024年（万元）", "2023年（万元）"])
    ws.append(["基金总收入", 3135300, 2976059])
    ws.append(["基金支出", 3140000, 2970001])
    ws.append(["当年结余", -4700, 6058])
    for r in range(2, 5):
        for c in (2, 3):
            ws.cell(r, c).number_format = "#,##0"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 16
    wb.save(OUT / "2024年社会保险基金收支情况.xlsx")


def minutes() -> None:
    doc = Document()
    doc.add_heading("2024年度党委会会议记录汇总", level=1)
    doc.add_paragraph("湛江市社会保险基金管理局党委 2024 年共召开党委会 14 次，均落实“第一议题”制度。")
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    head = table.rows[0].cells
    head[0].text, head[1].text, head[2].text = "次序", "日期", "第一议题"
    dates = ["1月9日", "2月6日", "3月12日", "4月2日", "4月26日", "5月21日", "6月18日", "7月16日",
             "8月20日", "9月10日", "10月15日", "11月5日", "11月26日", "12月17日"]
    for i, d in enumerate(dates, 1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = f"第{i}次", d, "学习习近平新时代中国特色社会主义思想"
    doc.add_paragraph("合计：14 次。")
    doc.save(OUT / "党委会会议记录汇总2024.docx")


def photo() -> None:
    img = QImage(960, 640, QImage.Format_RGB32)
    img.fill(QColor("#7fa7c9"))
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    p.fillRect(0, 420, 960, 220, QColor("#8c8c84"))  # street
    p.fillRect(160, 150, 640, 330, QColor("#efe8da"))  # building
    p.fillRect(200, 180, 560, 90, QColor("#b3261e"))  # sign
    f = QFont(FONT)
    f.setPointSize(30)
    f.setBold(True)
    p.setFont(f)
    p.setPen(QColor("#ffd75e"))
    p.drawText(QRectF(200, 180, 560, 90), Qt.AlignCenter, "镇村通 社保服务网点")
    p.fillRect(420, 320, 120, 160, QColor("#5b4636"))  # door
    p.fillRect(230, 310, 140, 100, QColor("#9cc3de"))
    p.fillRect(590, 310, 140, 100, QColor("#9cc3de"))
    p.setPen(QPen(QColor("#333333"), 3))
    f.setPointSize(12)
    f.setBold(False)
    p.setFont(f)
    p.setPen(QColor("#ffffff"))
    p.drawText(20, 620, "遂溪县城月镇 2024-10-18 拍摄")
    p.end()
    img.save(str(OUT / "镇村通服务网点现场照片.jpg"), "JPG", 85)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    bank_slip()
    final_accounts()
    ledger()
    subsidy_list()
    fund_table()
    minutes()
    photo()
    del app
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
