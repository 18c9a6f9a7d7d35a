"""``import`` and ``claims``: reports and the claims extracted from them."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.base import EXIT_OK, id_arg, open_workspace, out, refuse_workspace_paths


def _stage_lines(stage: str, details: dict) -> None:
    """Each stage of an import on its own line (stderr): a large report shows where it is."""
    from desktop.text.limits import import_stage_text

    if stage != "done":
        print(import_stage_text(stage, details), file=sys.stderr, flush=True)


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.claims.service import import_report, import_revised_report
    from desktop.text.messages import warning_text

    progress = None if getattr(args, "json", False) else _stage_lines
    with open_workspace(args) as ws:
        refuse_workspace_paths(ws, [args.report])
        if args.revises is not None:
            rev = import_revised_report(ws.db, report_id=args.revises, path=args.report, progress=progress)
            data = {"report_id": rev.report_id, "supersedes": rev.old_report_id, "name": rev.name,
                    "unchanged": rev.unchanged, "moved": rev.moved, "changed": rev.changed,
                    "vanished": rev.vanished, "added": rev.added}
            text = (f"已导入《{rev.name}》新版本：{len(rev.unchanged)} 个指标未变，{len(rev.moved)} 个位置变化，"
                    f"{len(rev.changed)} 个数值变化，{len(rev.vanished)} 个已删除，{len(rev.added)} 个新增")
            warnings = rev.warnings
        else:
            result = import_report(ws.db, path=args.report, progress=progress, again=args.again)
            data = {"report_id": result.report_id, "name": result.name, "claims": result.claims,
                    "candidates": result.candidates}
            text = f"已导入《{result.name}》：{result.claims} 个指标，{result.candidates} 个待确认数字"
            warnings = result.warnings
    for w in warnings:
        print(f"注意：{warning_text(w)}", file=sys.stderr)
    out(args, data, text)
    return EXIT_OK


def cmd_claims(args: argparse.Namespace) -> int:
    from desktop.claims import extractor
    from desktop.claims.readers import read_report_isolated
    from desktop.text.messages import warning_text

    doc = read_report_isolated(args.report)  # in the parsing child, under the default ceilings
    claims, score_tables = extractor.extract_with_tables(doc)
    for w in doc.warnings:
        print(f"注意：{warning_text(w)}", file=sys.stderr)
    data = {
        "source": doc.source,
        "claims": [
            {
                "quote": c.quote,
                "value": c.value,
                "value_raw": c.value_raw,
                "unit": c.unit,
                "scale": c.scale,
                "subject": c.subject,
                "section": c.section,
                "page": c.page,
                "start": c.start,
                "end": c.end,
                "flags": c.flags,
                "confidence": c.confidence,
            }
            for c in claims
        ],
        "score_tables": [st.to_json() for st in score_tables],
    }
    lines = [f"{'' if c.confidence == 'high' else '? '}{c.value_raw}{c.unit}\t{c.subject}\t{c.quote}"
             for c in claims]
    from desktop.text.score_tables import row_line, table_summary

    for st in score_tables:
        lines += ["", table_summary(st)] + [f"  {row_line(r)}" for r in st.indicators]
    out(args, data, "\n".join(lines) or "（没有找到指标）")
    return EXIT_OK


def register(add) -> None:
    p = add("import", cmd_import, "导入报告并抽取指标。同一份报告（内容完全相同）再导入时不重复导入，说明已导入的是哪一份，"
            "退出码 2（与 --revises 内容相同时一致）")
    p.add_argument("report")
    p.add_argument("--again", action="store_true", help="内容相同也再导入一份（会有两份相同的指标）")
    p.add_argument("--revises", type=id_arg, metavar="REPORT_ID",
                   help="作为报告 #REPORT_ID 的新版本导入：已有指标按原文与上下文重新定位，保留关联")
    p = add("claims", cmd_claims, "从报告抽取指标（不需要工作区）", ws=False)
    p.add_argument("report")
