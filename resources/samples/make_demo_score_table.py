"""Regenerate the demo workspace's 绩效自评表: ``resources/samples/项目支出绩效自评表2024.xlsx``.

Run: ``python resources/samples/make_demo_score_table.py``

The table is the 项目支出绩效自评表 that goes with the sample report's second part (湛江市本级机关事业单位
养老保险财政补助资金, 2024): the budget block (7000 万元 planned and spent, 执行率 100%) and the indicator rows
the report speaks of (当期缴费人数 19173 人, 当期发放待遇人数 11435 人, 资金到位率 100%, 2250 “中人”…), laid
out as such forms are in Excel: a title merged across, 单位：万元, the budget block, a two-row indicator header,
一级 / 二级指标 merged down their rows, 总分 and 自评等级 at the foot.

Like the forms the issue describes, it has mistakes an inspector would find (so the 一致性检查 panel has
something to show in the demo): a target missed (2250 of ≥2500 “中人”) scored full marks, a 得分 above its
分值, a missed 满意度 target with no 偏差原因, and a 总分 that is not the sum of the 得分.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

OUT = Path(__file__).resolve().parent / "项目支出绩效自评表2024.xlsx"

HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
BUDGET_HEADER = ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
BUDGET = [
    ["年度资金总额", 7000, 7000, 7000, 10, 1.0, 10],
    ["其中：当年财政拨款", 7000, 7000, 7000, None, 1.0, None],
    ["上年结转资金", None, None, None, None, None, None],
    ["其他资金", None, None, None, None, None, None],
]
#: (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因)
ROWS = [
    ("产出指标", "数量指标", "当期缴费人数（人）", "≥19000", "19173", 10, 10, None),
    ("产出指标", "数量指标", "当期发放待遇人数", "≥11000人", "11435人", 10, 10, None),
    ("产出指标", "数量指标", "退休“中人”新办法计发待遇人数", "≥2500人", "2250人", 10, 10,
     "部分“中人”档案缺失、视同缴费年限未采集，进展慢于计划；下一步加强与各县（市、区）沟通，加快转移接续"),
    ("产出指标", "质量指标", "资金到位率", "=100%", "100%", 10, 10, None),
    ("产出指标", "时效指标", "养老待遇按时发放率", "=100%", "100%", 10, 10, None),
    ("产出指标", "成本指标", "财政补助资金支出", "≤7000万元", "7000万元", 5, 5, None),
    ("效益指标", "社会效益指标", "机关事业单位退休人员养老待遇发放率", "=100%", "100%", 15, 16, None),
    ("效益指标", "可持续影响指标", "养老保险制度改革持续推进", "持续推进", "持续推进", 10, 10, None),
    ("满意度指标", "服务对象满意度指标", "退休人员满意度", "≥95%", "93%", 10, 10, None),
]
TOTAL, GRADE = 98, "优"


def build(path: Path = OUT) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    width = len(HEADER)
    ws.append(["2024年度项目支出绩效自评表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["项目名称：湛江市本级机关事业单位养老保险财政补助资金"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append(["单位：万元"])
    ws.append(BUDGET_HEADER)
    for b in BUDGET:
        ws.append(b)
        ws.cell(ws.max_row, 6).number_format = "0%"
    ws.append(["绩效指标", None, None, "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    head = ws.max_row
    ws.merge_cells(start_row=head, start_column=1, end_row=head, end_column=3)
    for c in range(4, width + 1):
        ws.merge_cells(start_row=head, start_column=c, end_row=head + 1, end_column=c)
    ws.append(["一级指标", "二级指标", "三级指标"])
    first = ws.max_row + 1
    for r in ROWS:
        ws.append(list(r))
        for c in (4, 5):  # "≥19000" and "19173" are typed as text, as such forms keep them
            ws.cell(ws.max_row, c).data_type = "s"
    for col in (0, 1):  # 一级 / 二级指标 merged down their runs of rows
        start = 0
        for i in range(1, len(ROWS) + 1):
            if i == len(ROWS) or ROWS[i][col] != ROWS[start][col] or (col == 1 and ROWS[i][0] != ROWS[start][0]):
                if i - 1 > start:
                    ws.merge_cells(start_row=first + start, start_column=col + 1, end_row=first + i - 1,
                                   end_column=col + 1)
                start = i
    ws.append(["总分", None, None, None, None, 100, TOTAL])
    ws.append(["自评等级", None, None, None, None, None, GRADE])

    thin = Side(style="thin", color="999999")
    for row in ws.iter_rows(min_row=4, max_row=ws.max_row, max_col=width):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for col, w in zip("ABCDEFGH", (12, 16, 30, 14, 14, 8, 8, 40)):
        ws.column_dimensions[col].width = w
    wb.save(str(path))
    return path


def main() -> int:
    print(build())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
