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

    with open_workspace(args, readonly=True) as ws:
        data = workspace_status(ws.db)
    text = status_line(data["summary"])
    out(args, data, text)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.cli.exchange import cmd_verify_package, is_package_argument

    if is_package_argument(args.workspace):  # a 佐证材料包 rather than a workspace folder
        return cmd_verify_package(args)
    from desktop.integrity import verify_workspace
    from desktop.text.integrity import problem_text

    show = not args.json and sys.stderr.isatty()
    stages = {"sqlite": "数据库结构", "triggers": "防篡改触发器", "events": "审计链", "objects": "存储对象",
              "reviews": "审核记录"}

    def progress(stage: str, done: int, total: int) -> None:
        if show:
            progress_line(f"校验{stages.get(stage, stage)}：{done}/{total}    ")

    with open_workspace(args, readonly=True) as ws:
        report = verify_workspace(ws, progress)
    if show:
        print(file=sys.stderr)
    data = {"ok": report.ok, "events": report.events, "objects": report.objects, "reviews": report.reviews,
            "problems": [{**p, "message": problem_text(p)} for p in report.problems]}
    if report.ok:
        text = (f"完整性校验通过：{report.events} 条审计事件，{report.objects} 个存储对象，"
                f"{report.reviews} 条审核记录。")
    else:
        text = f"完整性校验发现 {len(report.problems)} 个问题：\n" + "\n".join(
            f"  - {problem_text(p)}" for p in report.problems)
    out(args, data, text)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def register(add) -> None:
    p = add("init", cmd_init, "新建工作区")
    p.add_argument("--watch", help="佐证材料文件夹（监控）")
    add("status", cmd_status, "工作区状态：指标、佐证与缺口")
    add("verify", cmd_verify, "校验工作区（审计链、存储与审核记录）或佐证材料包（.zip）的完整性（有问题时退出码为 1）")
