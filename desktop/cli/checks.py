"""``check`` and ``dismiss-finding``: 一致性检查 of a workspace or of a report file.

``check W`` lists the findings of the workspace's reports (dismissed ones marked); ``check REPORT_FILE``
checks a file without a workspace (claim ids are then indexes into ``claims FILE --json``). Exit 1 when
an open finding is left (舍入差异 included), 0 when none, 2 on bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.base import EXIT_OK, EXIT_PROBLEMS, UsageError, open_workspace, out


def _lines(findings: list[dict]) -> str:
    if not findings:
        return "一致性检查：没有发现问题。"
    from desktop.text.checks import SEVERITY_NAMES

    open_ = [f for f in findings if not f["dismissed"]]
    counts = "，".join(f"{name} {sum(1 for f in open_ if f['severity'] == s)}" for s, name in SEVERITY_NAMES.items())
    lines = [f"一致性检查：{len(open_)} 条（{counts}）" + (f"，另有 {len(findings) - len(open_)} 条已忽略"
                                                         if len(findings) > len(open_) else "")]
    for f in findings:
        mark = "（已忽略）" if f["dismissed"] else ""
        lines.append(f"[{f['severity_name']}]{mark} {f['message']}  〔{f['rule']} {f['key']}〕")
        if f.get("dismissal") and f["dismissal"].get("reason"):
            stale = "；数字已变，需重新确认" if f["dismissal"].get("stale") else ""
            lines.append(f"    忽略理由：{f['dismissal']['reason']}（{f['dismissal']['actor']}{stale}）")
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from desktop.checks.files import check_file, finding_json
    from desktop.checks.profiles import load_profile
    from desktop.checks.queries import findings_summary, workspace_findings, workspace_profile

    target = Path(args.target)
    if target.is_dir() and (target / "workspace.db").exists():
        args.workspace = str(target)
        with open_workspace(args, readonly=True) as ws:
            profile = load_profile(args.profile) if args.profile else workspace_profile(ws.db)
            found = workspace_findings(ws.db, profile=profile)
        data = {"workspace": str(target), "profile": profile.id, "summary": findings_summary(found),
                "findings": [finding_json(f) for f in found]}
    elif target.is_dir():
        raise UsageError(f"不是工作区，也不是报告文件：{target}")
    else:
        profile = load_profile(args.profile)
        found, claims = check_file(target, profile=profile)
        data = {"report": target.name, "profile": profile.id, "claims": sum(1 for c in claims if c.confidence == "high"),
                "summary": findings_summary(found), "findings": [finding_json(f) for f in found]}
    out(args, data, _lines(data["findings"]))
    return EXIT_PROBLEMS if data["summary"]["total"] else EXIT_OK


def cmd_dismiss_finding(args: argparse.Namespace) -> int:
    from desktop.checks.service import dismiss_finding, restore_finding

    with open_workspace(args) as ws:
        if args.undo:
            row = restore_finding(ws.db, key=args.key)
            text = f"已恢复检查结果：{row['message']}"
        else:
            if not args.reason:
                raise UsageError("请用 --reason 写明忽略的理由")
            row = dismiss_finding(ws.db, key=args.key, reason=args.reason)
            text = f"已忽略检查结果：{row['message']}（理由：{row['reason']}）"
    out(args, {"key": args.key, "dismissed": not args.undo, "dismissal": row}, text)
    return EXIT_OK


def register(add) -> None:
    p = add("check", cmd_check, "一致性检查：工作区或报告文件中对不上的数字（发现问题时退出码为 1）", ws=False)
    p.add_argument("target", metavar="W|REPORT_FILE", help="工作区文件夹，或报告文件（不需要工作区）")
    p.add_argument("--profile", help="评分规则（默认：工作区设置，或 caiyu-2020-10 财预〔2020〕10号）")
    p = add("dismiss-finding", cmd_dismiss_finding, "忽略一条检查结果（须写理由，记入审计日志）；--undo 恢复")
    p.add_argument("key", help="检查结果编号（check 输出中的 key）")
    p.add_argument("--reason", help="忽略的理由")
    p.add_argument("--undo", action="store_true", help="恢复已忽略的检查结果")
