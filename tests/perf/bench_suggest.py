"""Benchmark: suggestions for 1,000 claims against 10,000 files holding 1,000,000 indexed numbers.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/perf/bench_suggest.py [--keep DIR]

Targets: every claim's suggestions in <= 2 s; a new file's suggestions within 1 s of its text
being extracted. Figures are printed in seconds and as a ratio to a baseline measured in the same run on
the same database: one full scan of ``evidence_numbers`` (``SELECT count(*), sum(length(context))``),
i.e. what reading every number once costs on this machine.

The workspace is a real one (``Workspace.create``, migrations, WAL); its rows are bulk-inserted (one
audit event) with realistic shapes: per file ~100 numbers — list numbers and small counts (28 %), amounts
with two decimals in 元, counts, percents, round budget figures — each with a locator and a context of
words (domain words such as 待遇 发放 基金, mixed with rarer words: places, names, items), and the file's
text in the full-text index; file names of the same words plus a document type (台账, 回单, 明细 …);
1,000 claims in 万元 / 亿元 / 条 / 人 / 人次 / % / 个 / 家 (a quarter of them small integers) with subjects
from the same words, a third of them stated (at another scale) in some file with their subject beside them.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from desktop.evidence.indexing import index_evidence  # noqa: E402
from desktop.evidence.service import register_file  # noqa: E402
from desktop.review.suggest import SuggestionEngine  # noqa: E402
from desktop.workspace import Workspace  # noqa: E402

N_CLAIMS = 1_000
N_FILES = 10_000
NUMBERS_PER_FILE = 100

WORDS = ("参保 缴费 待遇 发放 基金 收入 支出 预算 决算 结余 追回 核查 疑点 数据 稳岗 返还 企业 户数 网点 覆盖率 "
         "培训 宣讲 群众 村居 银行 协议 退役 军人 转移 接续 养老 保险 机关 事业 单位 财政 补助 资金 到位 执行 "
         "使用 缺口 人数 人次 批次 条数 金额 合计 小计 本年 上年 同比 增长 医保 工伤 失业 居民 职工 门诊 住院 "
         "报销 比例 定点 机构 药品 集采 采购 检查 专项 欺诈 骗保 满意度 得分 科室 编制 在职 离退休 临时工 "
         "会议 党委 议题 要点 档案 数字化 系统 平台 窗口 办件 时限 投诉 回访 审计 整改 问题 清单 台账 明细").split()
UNITS = [("万元", "10000", "amount"), ("亿元", "100000000", "amount"), ("条", "1", "count"), ("人", "1", "count"),
         ("人次", "1", "count"), ("个", "1", "count"), ("%", "1", "percent"), ("家", "1", "count")]


DOC_TYPES = "通知 汇总表 台账 明细 报告 回单 说明 统计表 清单 纪要 批复 决算表 凭证 名册".split()
_vocab_rng = random.Random(17)
# the other words of real files: place names, people, programmes, items (2 characters, mostly rare)
RARE = ["".join(chr(_vocab_rng.randint(0x4E00, 0x7000)) for _ in range(2)) for _ in range(3000)]


def phrase(rng: random.Random, n: int) -> str:
    """A run of words as ledgers and reports have them: domain words mixed with rarer ones."""
    return "".join(rng.choice(WORDS) if i % 2 == 0 else rng.choice(RARE) for i in range(n))


def evidence_number(rng: random.Random) -> tuple[str, str, str | None, int]:
    """(value as written, raw, unit, is_percent) with the mix a real evidence folder shows."""
    k = rng.random()
    if k < 0.28:  # list numbers, days, small counts
        v = rng.randint(1, 31)
        return str(v), str(v), rng.choice([None, None, "次", "人", "个"]), 0
    if k < 0.58:  # amounts in 元 with cents
        v = Decimal(rng.randint(100, 999_999_999)) / 100
        return f"{v:.2f}", f"{v:,.2f}", rng.choice([None, None, "元"]), 0
    if k < 0.75:  # counts
        v = rng.randint(32, 99_999)
        return str(v), f"{v:,}", rng.choice([None, "人", "条", "户", "人次"]), 0
    if k < 0.87:  # percents
        v = Decimal(rng.randint(0, 10_000)) / 100
        return f"{v:.2f}", f"{v:.2f}%", "%", 1
    v = rng.choice([100, 200, 500, 1000, 2000, 5000, 10000, 50000, 100000, 1000000])  # round figures
    return str(v), f"{v:,}", rng.choice([None, "元", "万元"]), 0


def claim_value(rng: random.Random) -> tuple[str, str, str, str]:
    unit, scale, kind = rng.choice(UNITS)
    if kind == "amount":
        v = Decimal(rng.randint(100, 9_999_999)) / 100 if unit == "万元" else Decimal(rng.randint(100, 99_999)) / 100
    elif kind == "percent":
        v = Decimal(rng.randint(1, 1000)) / 10
    else:
        v = Decimal(rng.choice([rng.randint(2, 40), rng.randint(41, 99_999)]))
    return str(v), unit, scale, kind


def as_evidence(value: str, unit: str, scale: str) -> tuple[str, str, str | None, int]:
    """The claim's value as a file would state it: amounts in 元, the rest as written."""
    v = Decimal(value)
    if unit in ("万元", "亿元"):
        yuan = (v * Decimal(scale)).quantize(Decimal("0.01"))
        return str(yuan), f"{yuan:,.2f}", "元", 0
    if unit == "%":
        return value, f"{value}%", "%", 1
    return value, f"{v:,}", None, 0


def seed(root: Path, rng: random.Random) -> tuple[Workspace, float]:
    t0 = time.perf_counter()
    ws = Workspace.create(root / "ws", actor="bench")
    db = ws.db
    claims = []
    planted = []
    for i in range(N_CLAIMS):
        value, unit, scale, kind = claim_value(rng)
        subject = phrase(rng, 3)  # e.g. 待遇某某发放
        claims.append((value, unit, scale, kind, subject, i))
        if i % 3 == 0:
            planted.append((rng.randrange(N_FILES), value, unit, scale, subject))
    with db.write() as tx:
        rid = tx.insert("reports", {"name": "bench.txt", "sha256": "0" * 64, "format": "txt", "text": "",
                                    "imported_at": tx.now})
        tx.executemany(
            "INSERT INTO claims (report_id, quote, start, \"end\", section, subject, value_raw, value, unit, scale,"
            " kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(rid, f"{subject}{value}{unit}", i * 40, i * 40 + 10, f"第{i // 50 + 1}节", subject, value, value, unit,
              scale, kind, tx.now, tx.now) for value, unit, scale, kind, subject, i in claims],
        )
        tx.executemany(
            "INSERT INTO evidence (id, sha256, size, name, ext, status, text_status, added_at)"
            " VALUES (?, ?, 1000, ?, 'xlsx', 'ready', 'done', ?)",
            [(e + 1, f"{e:064x}", f"{phrase(rng, 2)}{rng.choice(DOC_TYPES)}_{e}.xlsx", tx.now)
             for e in range(N_FILES)],
        )
        folders = [phrase(rng, 1) for _ in range(40)]
        tx.executemany(
            "INSERT INTO evidence_paths (evidence_id, path, present, first_seen, last_seen) VALUES (?, ?, 1, ?, ?)",
            [(e + 1, f"/data/佐证材料/{rng.choice(folders)}/{e}.xlsx", tx.now, tx.now) for e in range(N_FILES)],
        )
        plants: dict[int, list[tuple]] = {}
        for file_no, value, unit, scale, subject in planted:
            v, raw, u, pct = as_evidence(value, unit, scale)
            plants.setdefault(file_no, []).append((v, raw, u, pct, subject))
        batch, texts = [], []
        for e in range(N_FILES):
            header = phrase(rng, 2)
            lines = []
            for n in range(NUMBERS_PER_FILE):
                value, raw, unit, pct = evidence_number(rng)
                context = f"{phrase(rng, 3)} {raw}（{header}）"
                lines.append(context)
                batch.append((e + 1, value, raw, unit, f"Sheet1!{'ABCDE'[n % 5]}{n // 5 + 2}", None, context, pct))
            for v, raw, u, pct, subject in plants.get(e, []):
                context = f"{subject} 合计 {raw}"
                lines.append(context)
                batch.append((e + 1, v, raw, u, "Sheet1!F2", None, context, pct))
            texts.append(("\n".join(lines), e + 1, "Sheet1", None))
            if len(batch) >= 100_000:
                tx.executemany(
                    "INSERT INTO evidence_numbers (evidence_id, value, raw, unit, locator, page, context, is_percent)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
                tx.executemany("INSERT INTO evidence_text (text, evidence_id, locator, page) VALUES (?, ?, ?, ?)",
                               texts)
                batch, texts = [], []
        tx.executemany(
            "INSERT INTO evidence_numbers (evidence_id, value, raw, unit, locator, page, context, is_percent)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
        tx.executemany("INSERT INTO evidence_text (text, evidence_id, locator, page) VALUES (?, ?, ?, ?)", texts)
        tx.event("bench.seeded", {"claims": N_CLAIMS, "files": N_FILES})
    db.conn.execute("ANALYZE")
    return ws, time.perf_counter() - t0


def new_file(folder: Path, rng: random.Random, ws: Workspace) -> Path:
    from openpyxl import Workbook

    subjects = [r["subject"] for r in ws.db.query("SELECT subject, value, unit FROM claims LIMIT 5")]
    wb = Workbook()
    sh = wb.active
    sh.title = "明细"
    sh.append(["序号", "项目", "金额（元）", "人数"])
    for i in range(1, 301):
        sh.append([i, rng.choice(subjects), rng.randint(100, 99_999_999) / 100, rng.randint(1, 500)])
    path = folder / "新到佐证_明细.xlsx"
    wb.save(path)
    return path


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="build the workspace in this folder and keep it; reuse it if it is there")
    args = ap.parse_args()
    rng = random.Random(5)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-suggest-"))
    if args.keep and Workspace.is_workspace(root / "ws"):
        ws, seed_s = Workspace.open(root / "ws", actor="bench"), 0.0
        for r in ws.db.query("SELECT id FROM evidence WHERE id > ?", (N_FILES,)):  # an earlier run's new file
            ws.db.conn.execute("DELETE FROM evidence_numbers WHERE evidence_id = ?", (r[0],))
            ws.db.conn.execute("DELETE FROM evidence_text WHERE evidence_id = ?", (r[0],))
            ws.db.conn.execute("DELETE FROM evidence_paths WHERE evidence_id = ?", (r[0],))
            ws.db.conn.execute("DELETE FROM evidence WHERE id = ?", (r[0],))
        ws.db.conn.commit()
        rng.random()
    else:
        ws, seed_s = seed(root, rng)
    db = ws.db
    n_numbers = db.scalar("SELECT count(*) FROM evidence_numbers")
    print(f"seeded {N_CLAIMS} claims, {N_FILES} files, {n_numbers:,} numbers in {seed_s:.1f} s ({root})")

    baseline, _ = timed(lambda: db.query_one("SELECT count(*), sum(length(context)) FROM evidence_numbers"))
    print(f"baseline: one full scan of evidence_numbers          {baseline:7.3f} s")

    def cold():
        return SuggestionEngine(db).for_claims()

    cold_s, res = timed(cold)
    n_sugg = sum(len(v) for v in res.values())
    strong = sum(1 for v in res.values() for s in v if s.strength == "strong")
    print(f"all claims, cold engine (load + index + match)       {cold_s:7.3f} s  = {cold_s / baseline:5.2f} x baseline"
          f"   ({n_sugg} suggestions, {strong} strong)")
    planted = {r[1]: r[0] for r in db.query(
        "SELECT n.evidence_id, c.id FROM evidence_numbers n JOIN claims c ON n.context = c.subject || ' 合计 ' || n.raw"
        " WHERE n.locator = 'Sheet1!F2'")}
    top = sum(1 for cid, eid in planted.items() if res.get(cid) and res[cid][0].evidence_id == eid)
    print(f"  (sanity: the planted file is the top suggestion for {top} of {len(planted)} claims stated in a file)")
    engine = SuggestionEngine(db)
    engine.for_claims()
    warm_s, _ = timed(lambda: engine.for_claims())
    print(f"all claims, warm engine (match only)                 {warm_s:7.3f} s  = {warm_s / baseline:5.2f} x baseline")

    # a new file arrives: register, extract text and numbers (timed apart), then its suggestions
    path = new_file(root, rng, ws)
    t = time.perf_counter()
    r = register_file(ws, path)
    index_evidence(ws, r.evidence_id)
    extract_s = time.perf_counter() - t
    inc_warm, found = timed(lambda: engine.for_evidence([r.evidence_id]))
    inc_cold, _ = timed(lambda: SuggestionEngine(db).for_evidence([r.evidence_id]))
    print(f"new file: register + extract + index ({db.scalar('SELECT count(*) FROM evidence_numbers WHERE evidence_id = ?', (r.evidence_id,))} numbers)"
          f"  {extract_s:7.3f} s  (not part of the target)")
    print(f"new file's suggestions, warm engine                  {inc_warm:7.3f} s  = {inc_warm / baseline:5.2f} x baseline"
          f"   ({len(found)} claims)")
    print(f"new file's suggestions, cold engine                  {inc_cold:7.3f} s  = {inc_cold / baseline:5.2f} x baseline")
    ok = cold_s <= 2.0 and max(inc_warm, inc_cold) <= 1.0
    print("targets:", "met" if ok else "NOT MET", "(all claims <= 2 s, a new file <= 1 s)")
    ws.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
