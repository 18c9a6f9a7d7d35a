"""``init``, ``status``, ``verify``: the workspace as a whole."""

from __future__ import annotations

import argparse
import sys

from desktop import config
from desktop.cli.base import EXIT_OK, EXIT_PROBLEMS, open_workspace, out, progress_line


def cmd_init(args: argparse.Namespace) -> int:
    from desktop.workspace import Workspace

    with Workspace.create(args.workspace, watch_dir=args.watch, actor=args.actor) as ws:
        data = {"workspace": str(ws.root), "watch_dir": str(ws.watch_dir) if ws.watch_dir else None}
    config.save_config(last_workspace=data["workspace"])
    out(args, data, f"已创建工作区：{data['workspace']}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from desktop.review.status import workspace_status
    from desktop.text.status import status_line

    from desktop.integrity import audit_anchor
    from desktop.text.integrity import anchor_text

    with open_workspace(args, readonly=True) as ws:
        data = workspace_status(ws.db)
        anchor = audit_anchor(ws.db)
    data["anchor"] = anchor
    text = status_line(data["summary"]) + "\n" + anchor_text(anchor)
    out(args, data, text)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.cli.exchange import cmd_verify_package, is_package_argument

    if is_package_argument(args.workspace):  # a 佐证材料包 rather than a workspace folder
        return cmd_verify_package(args)
    from desktop.integrity import verify_workspace
    from desktop.text.integrity import anchor_text, note_text, problem_text

    show = not args.json and sys.stderr.isatty()
    stages = {"sqlite": "数据库结构", "triggers": "数据库结构", "events": "审计链", "state": "数据与审计记录",
              "objects": "存储对象",
              "reviews": "审核记录"}

    def progress(stage: str, done: int, total: int) -> None:
        if show:
            progress_line(f"校验{stages.get(stage, stage)}：{done}/{total}    ")

    from desktop.cli.base import EXIT_USAGE
    from desktop.integrity import parse_anchor

    anchor = None
    if getattr(args, "anchor", None):
        anchor = parse_anchor(args.anchor)
        if anchor is None:
            print("--anchor 应写作 事件序号:哈希（哈希至少 16 位十六进制），例如 1234:9f2c4e…", file=sys.stderr)
            return EXIT_USAGE
    with open_workspace(args, readonly=True) as ws:
        report = verify_workspace(ws, progress, anchor=anchor)
    if show:
        print(file=sys.stderr)
    data = {"ok": report.ok, "events": report.events, "objects": report.objects, "reviews": report.reviews,
            "rows": report.rows, "anchor": report.anchor,
            "problems": [{**p, "message": problem_text(p)} for p in report.problems],
            "notes": [{**n, "message": note_text(n)} for n in report.notes]}
    if report.ok:
        text = (f"完整性校验通过：{report.events} 条审计事件，{report.rows} 行数据与审计记录一致，"
                f"{report.objects} 个存储对象，{report.reviews} 条审核记录。")
    else:
        text = f"完整性校验发现 {len(report.problems)} 个问题：\n" + "\n".join(
            f"  - {problem_text(p)}" for p in report.problems)
    if report.notes:
        text += "\n注意：\n" + "\n".join(f"  - {note_text(n)}" for n in report.notes)
    text += "\n" + anchor_text(report.anchor) + "（请与交出的材料包清单、承诺书上的记录比对）"
    out(args, data, text)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def register(add) -> None:
    p = add("init", cmd_init, "新建工作区")
    p.add_argument("--watch", help="佐证材料文件夹（监控）")
    add("status", cmd_status, "工作区状态：指标、佐证与缺口")
    p = add("verify", cmd_verify, "校验工作区（审计链、数据与审计记录逐行核对、数据库结构、存储与审核记录）"
                                  "或佐证材料包（.zip）的完整性（有问题时退出码为 1）")
    p.add_argument("--anchor", help="与记在别处的审计链头比对：事件序号:哈希（材料包清单、承诺书上的“审计链头”）")
