"""A generated evidence folder full of near misses, with its report and the gold answer.

What a 绩效自评工作小组's folder of a few hundred files holds beside the files that back the report:
last year's files (``2023年…``, sometimes stating the very same figure: a subsidy of 7000 万元 every
year), the same figure about another measure (a letter stating a 缺口 of 7000 万元 beside a claim of
补助资金收入 7000 万元), rounding neighbours (基金总收入 313.53 亿元 in the row above 基金支出 314 亿元),
the same figure about something else entirely (a repair contract of 6,588,300 元), claims named by a
weak word (``已支出7000万元``), and filler: minutes, summaries and ledgers full of other numbers.

:func:`build` writes the folder (XLSX, DOCX, TXT: no Qt needed) and the report, and returns the gold: per
claim (by its line in the report, value and unit) the files that back it and, where one cell states the
value exactly beside a rounded neighbour, that cell. Deterministic for a seed. Used by
``tests/perf/bench_suggest_quality.py`` (a few hundred files) and by a quick test (a few dozen).
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from tests.review import docgen

YEAR, LAST_YEAR = 2024, 2023

MONEY_THINGS = [
    "机关事业单位养老保险财政补助资金", "失业保险稳岗返还资金", "城乡居民医疗保险基金", "工伤保险基金",
    "企业职工基本养老保险基金", "就业补助资金", "社保经办能力建设专项资金", "职业技能提升行动专项资金",
    "被征地农民养老保障资金", "城乡居民养老保险基金", "困难群体参保资助资金", "创业担保贷款贴息资金",
    "公益性岗位补贴资金", "高校毕业生就业见习补贴", "农民工工资保证金", "社会保障卡发行经费",
]
COUNT_THINGS = [
    ("核查疑点数据", "条", "台账"), ("办理参保登记", "人", "统计表"), ("开展业务培训", "人次", "签到汇总"),
    ("建成服务网点", "个", "建设情况表"), ("受理窗口办件", "件", "办件统计"), ("稽核参保企业", "家", "稽核台账"),
    ("转移接续养老保险关系", "条", "接续情况表"), ("发放社会保障卡", "张", "发卡统计"),
    ("追回多发待遇", "笔", "追回台账"), ("开展政策宣讲", "场", "宣讲记录"), ("处理群众投诉", "件", "投诉台账"),
    ("认定工伤", "人", "认定台账"),
]
RATES = [("资金到位率", "到位"), ("预算执行率", "执行"), ("资金使用率", "使用"), ("待遇发放率", "发放")]
COUNTIES = ["赤坎区", "霞山区", "麻章区", "坡头区", "遂溪县", "徐闻县", "廉江市", "雷州市", "吴川市"]
FILLER_WORDS = ("参保 缴费 待遇 发放 基金 收入 支出 预算 决算 结余 追回 核查 疑点 数据 稳岗 返还 企业 网点 培训 宣讲 群众 "
                "村居 银行 协议 退役 转移 接续 养老 保险 机关 事业 财政 补助 资金 到位 执行 使用 缺口 人数 人次 "
                "批次 金额 合计 本年 上年 同比 增长 医保 工伤 失业 居民 职工 档案 系统 平台 窗口 办件 投诉").split()
FILLER_KINDS = ["会议纪要", "工作总结", "情况汇报", "工作简报", "业务统计", "督办通知", "调研报告", "自查报告"]


@dataclass
class GoldClaim:
    line: int  # 1-based line of the report the claim is on
    value: str
    unit: str
    files: list[str] = field(default_factory=list)  # paths relative to the folder that back it
    exact: dict[str, str] = field(default_factory=dict)  # file -> the cell that states the value exactly
    kind: str = ""  # which template made it (for reading the figures)


@dataclass
class Folder:
    root: Path
    report: Path
    claims: list[GoldClaim]

    def save_gold(self, path: Path) -> None:
        path.write_text(json.dumps({"report": str(self.report), "folder": str(self.root / "files"),
                                    "claims": [asdict(c) for c in self.claims]}, ensure_ascii=False), encoding="utf-8")


class _Builder:
    def __init__(self, root: Path, rng: random.Random):
        self.root = root
        self.files = root / "files"
        self.rng = rng
        self.lines: list[str] = [f"湛江市人力资源和社会保障局{YEAR}年度部门整体支出绩效自评报告", ""]
        self.claims: list[GoldClaim] = []
        self.serial = 0

    def section(self, title: str) -> None:
        self.lines += ["", f"## {title}"]

    def line(self, text: str, *claims: GoldClaim) -> None:
        self.lines.append(text)
        for c in claims:
            c.line = len(self.lines)
            self.claims.append(c)

    def name(self, stem: str, ext: str) -> Path:
        self.serial += 1
        return self.files / f"{self.serial % 9 + 1:02d}_材料" / f"{stem}.{ext}"

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.files))

    # -- money: income and spending of one fund, last year's twin, a letter about its gap -----------

    def money(self, thing: str) -> None:
        rng = self.rng
        income = Decimal(rng.randint(20_000, 9_000_000)) / 100
        if rng.random() < 0.35:
            income = Decimal(rng.choice([1000, 1200, 2000, 3000, 5000, 7000, 8000]))  # round: weak values
        spent = (income * Decimal(rng.randint(80, 99)) / 100).quantize(Decimal("0.01"))
        c_in = GoldClaim(0, _fmt(income), "万元", kind="money_income")
        c_out = GoldClaim(0, _fmt(spent), "万元", kind="money_spent")
        self.line(f"{YEAR}年{thing}收入{_fmt(income)}万元，支出{_fmt(spent)}万元。", c_in, c_out)
        has_file = rng.random() < 0.85
        if has_file:
            path = self.name(f"{YEAR}年{thing}收支明细表", "xlsx")
            docgen.xlsx(path, {"收支": [
                [f"{YEAR}年{thing}收支明细表"], ["项目", "金额（元）"],
                ["本年收入合计", float(income * 10000)], ["本年支出合计", float(spent * 10000)],
                ["年末滚存结余", float((income - spent) * 10000)]]}, formats={"收支": {"B": "#,##0.00"}})
            c_in.files.append(self.rel(path))
            c_out.files.append(self.rel(path))
        # last year's twin: the same shape; a recurring subsidy states the same income
        same = rng.random() < 0.5
        last_in = income if same else (income * Decimal(rng.randint(85, 97)) / 100).quantize(Decimal("0.01"))
        path = self.name(f"{LAST_YEAR}年{thing}收支明细表", "xlsx")
        docgen.xlsx(path, {"收支": [
            [f"{LAST_YEAR}年{thing}收支明细表"], ["项目", "金额（元）"],
            ["本年收入合计", float(last_in * 10000)], ["本年支出合计", float((last_in * Decimal("0.9")).quantize(Decimal("0.01")) * 10000)],
            ["备注", "上年数"]]}, formats={"收支": {"B": "#,##0.00"}})
        # a letter about the fund's gap, stating the income figure as a gap
        if rng.random() < 0.5:
            path = self.name(f"关于{YEAR}年{thing}缺口情况的报告", "docx")
            docgen.docx(path, [("h", f"关于{YEAR}年{thing}缺口情况的报告"),
                               f"经测算，{YEAR}年{thing}缺口 {_fmt(income)} 万元，请予研究。"])

    # -- a fund's totals in 亿元: a rounding neighbour in the row above the exact figure -------------

    def rounding(self, thing: str) -> None:
        rng = self.rng
        exact = Decimal(rng.randint(120, 980))
        near = exact - Decimal(rng.randint(5, 45)) / 100  # rounds to the same whole 亿元
        c_near = GoldClaim(0, _fmt(near), "亿元", kind="rounding_income")
        c_exact = GoldClaim(0, _fmt(exact), "亿元", kind="rounding_exact")
        self.line(f"{YEAR}年{thing}总收入 {_fmt(near)} 亿元，支付{thing} {_fmt(exact)} 亿元。", c_near, c_exact)
        path = self.name(f"{YEAR}年{thing}运行情况", "xlsx")
        docgen.xlsx(path, {"运行": [
            ["项目", f"{YEAR}年（万元）"], [f"{thing}总收入", int(near * 10000)], [f"{thing}总支出", int(exact * 10000)],
            ["当年结余", int((near - exact) * 10000)]]}, formats={"运行": {"B": "#,##0"}})
        c_near.files.append(self.rel(path))
        c_exact.files.append(self.rel(path))
        c_exact.exact[self.rel(path)] = "运行!B3"

    # -- a count in a ledger, last year's ledger, the same number about something else ---------------

    def count(self, thing: str, unit: str, doc: str) -> None:
        rng = self.rng
        parts = [rng.randint(300, 4000) for _ in COUNTIES]
        total = sum(parts)
        c = GoldClaim(0, str(total), unit, kind="count")
        self.line(f"全年共{thing} {total} {unit}，较上年有所增加。", c)
        if rng.random() < 0.85:
            path = self.name(f"{thing}{doc}{YEAR}", "xlsx")
            rows = [[f"{YEAR}年{thing}{doc}"], ["序号", "县（市、区）", f"数量（{unit}）"]]
            rows += [[i + 1, county, n] for i, (county, n) in enumerate(zip(COUNTIES, parts))]
            rows.append(["", "合计", total])
            docgen.xlsx(path, {doc[:4]: rows}, formats={doc[:4]: {"C": "#,##0"}})
            c.files.append(self.rel(path))
        last = total - rng.randint(50, 900)
        path = self.name(f"{thing}{doc}{LAST_YEAR}", "xlsx")
        docgen.xlsx(path, {doc[:4]: [[f"{LAST_YEAR}年{thing}{doc}"], ["县（市、区）", f"数量（{unit}）"],
                                     ["合计", last if rng.random() < 0.6 else total]]})
        if rng.random() < 0.4:  # the same number, about something else
            path = self.name(f"档案数字化{rng.choice(['进度表', '统计', '清单'])}{self.serial}", "txt")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"档案数字化加工 {total} 卷，扫描页数 {total * 37} 页。", encoding="utf-8")

    # -- a weak subject: 下达 …, 已支出 …, 执行率 … ----------------------------------------------------

    def weak(self, thing: str) -> None:
        rng = self.rng
        amount = Decimal(rng.choice([600, 800, 1500, 2500, 3600, 4200, 6000, 7000, 9000]))
        c_given = GoldClaim(0, _fmt(amount), "万元", kind="weak_given")
        c_spent = GoldClaim(0, _fmt(amount), "万元", kind="weak_spent")
        rate, _ = rng.choice(RATES)
        c_rate = GoldClaim(0, "100", "%", kind="weak_rate")
        self.section(f"{thing}执行情况")
        self.line(f"{YEAR}年市财政{thing}下达{_fmt(amount)}万元。截止{YEAR}年12月31日，已支出{_fmt(amount)}万元，"
                  f"{rate}100%。", c_given, c_spent, c_rate)
        letter = self.name(f"关于下达{YEAR}年{thing}的通知", "docx")
        docgen.docx(letter, [("h", f"关于下达{YEAR}年{thing}的通知"),
                             f"现下达{YEAR}年{thing} {_fmt(amount)} 万元，请按规定及时拨付，专款专用。"])
        c_given.files.append(self.rel(letter))
        ledger = self.name(f"{thing}支出明细账", "xlsx")
        quarters = [amount * 10000 / 4] * 4
        docgen.xlsx(ledger, {"明细账": [[f"{thing}支出明细账（{YEAR}年）"], ["摘要", "支出（元）"],
                                        *[[f"第{i + 1}季度拨付", float(q)] for i, q in enumerate(quarters)],
                                        ["本年支出合计", float(amount * 10000)]],
                             "执行情况": [["指标", "数值"], [rate, 1]]},
                    formats={"明细账": {"B": "#,##0.00"}, "执行情况": {"B": "0%"}})
        c_spent.files.append(self.rel(ledger))
        c_rate.files.append(self.rel(ledger))

    # -- filler and unrelated figures ------------------------------------------------------------------

    def filler(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            kind = rng.choice(FILLER_KINDS)
            words = "".join(rng.choice(FILLER_WORDS) for _ in range(3))
            stem = f"{words}{kind}{rng.choice(['', str(YEAR), str(LAST_YEAR)])}"
            if rng.random() < 0.5:
                paras = [f"{rng.choice(FILLER_WORDS)}{rng.choice(FILLER_WORDS)}{rng.randint(2, 9999)}"
                         f"{rng.choice(['人', '户', '件', '万元', '元', '个', '%'])}，"
                         f"{rng.choice(FILLER_WORDS)}{rng.choice(FILLER_WORDS)}{rng.randint(1, 31)}次。" for _ in range(6)]
                docgen.docx(self.name(stem, "docx"), [("h", stem), *paras])
            else:
                rows = [[stem], ["项目", "数值", "备注"]]
                rows += [[rng.choice(FILLER_WORDS) + rng.choice(FILLER_WORDS), rng.randint(1, 9_999_999) / 100,
                          rng.choice(FILLER_WORDS)] for _ in range(12)]
                docgen.xlsx(self.name(stem, "xlsx"), {"表1": rows})

    def repair(self, amount: Decimal) -> None:
        path = self.name(f"办公楼维修改造工程结算审核报告{self.serial}", "txt")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"办公楼维修改造工程 审定金额 {amount * 10000:,.2f} 元，工期 45 天。", encoding="utf-8")


def _fmt(v: Decimal) -> str:
    return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")


def build(root: Path, *, small: bool = False, seed: int = 18) -> Folder:
    """Write the folder and report under ``root``: ~300 files and ~60 claims, or (``small``) ~40 and ~15."""
    rng = random.Random(seed)
    b = _Builder(root, rng)
    b.section("一、基金收支情况")
    for thing in MONEY_THINGS[: 3 if small else 12]:
        b.money(thing)
    b.section("二、基金运行情况")
    for thing in ["社会保险基金", "失业保险基金", "工伤保险基金", "医疗保险基金"][: 1 if small else 4]:
        b.rounding(thing)
    b.section("三、业务工作量")
    for thing, unit, doc in COUNT_THINGS[: 3 if small else 12]:
        b.count(thing, unit, doc)
    for thing in MONEY_THINGS[10:16][: 1 if small else 6]:
        b.weak(thing)
    amounts = [c for c in b.claims if c.unit == "万元"]
    for c in rng.sample(amounts, k=min(2 if small else 6, len(amounts))):
        b.repair(Decimal(c.value))
    b.filler(12 if small else 200)
    report = root / "自评报告.txt"
    report.write_text("\n".join(b.lines) + "\n", encoding="utf-8")
    return Folder(root, report, b.claims)


__all__ = ["build", "Folder", "GoldClaim"]
