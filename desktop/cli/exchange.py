"""``export`` and ``verify PACKAGE.zip``: the 佐证材料包, its binder, and checking a package anywhere."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.base import EXIT_OK, EXIT_PROBLEMS, out, progress_line
from desktop.text import exchange as _words  # noqa: F401 - registers the exchange error texts


def _progress_printer(args: argparse.Namespace):
    from desktop.text.exchange import stage_text

    show = not args.json and sys.stderr.isatty()

    def progress(stage: str, done: int, total: int) -> None:
        if show:
            progress_line(f"{stage_text(stage)}：{done}/{total}        ")

    return progress, show


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.exchange.export import export_package
    from desktop.text import exchange as T
    from desktop.workspace import Workspace

    from pathlib import Path

    from desktop.cli.base import UsageError

    pledge = None
    if args.pledge_file:
        try:
            pledge = Path(args.pledge_file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"无法读取承诺书文本文件（需为 UTF-8）：{args.pledge_file}（{exc}）") from None
    progress, show = _progress_printer(args)
    # A workspace another process holds opens read-only: the export still works, unrecorded.
    if args.since:  # a supplement: only what is new or changed since that package or return
        from desktop.cli.inspection import export_supplement_command

        return export_supplement_command(args, progress, show)
    with Workspace.open(args.workspace, actor=args.actor, role=args.role) as ws:
        result = export_package(ws, args.out, binder=args.binder, include_unlinked=args.all, progress=progress,
                                unit=args.unit, year=args.year, pledge_text=pledge)
    if show:
        print(file=sys.stderr)
    lines = T.export_summary(result.as_json())
    out(args, result.as_json(), "\n".join(lines))
    return EXIT_OK


def cmd_verify_package(args: argparse.Namespace) -> int:
    from desktop.exchange.verify import verify_package
    from desktop.text.exchange import problem_text

    report = verify_package(args.workspace)
    data = {"ok": report.ok, "package": str(report.path), "package_sha256": report.package_sha256,
            "manifest_sha256": report.manifest_sha256, "members": report.members,
            "package_id": report.manifest.get("package_id"),
            "problems": [{**p, "message": problem_text(p)} for p in report.problems]}
    if report.ok:
        text = (f"材料包校验通过：{report.members} 个文件与清单一致，package.db 与清单一致。\n"
                f"  材料包哈希（SHA-256）：{report.package_sha256}")
    else:
        text = f"材料包校验发现 {len(report.problems)} 个问题：\n" + "\n".join(
            f"  - {problem_text(p)}" for p in report.problems)
    out(args, data, text)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def is_package_argument(value: str) -> bool:
    from pathlib import Path

    p = Path(value)
    return p.suffix.lower() == ".zip" and not p.is_dir()


def register(add) -> None:
    p = add("export", cmd_export, "导出佐证材料包（.zip），可同时生成佐证材料汇编（.pdf）")
    p.add_argument("out", help="材料包文件（.zip）")
    p.add_argument("--binder", help="同时生成佐证材料汇编（.pdf）")
    p.add_argument("--all", action="store_true", help="同时包含未关联的佐证材料（佐证材料/未关联/）")
    p.add_argument("--unit", help="单位名称（默认：工作区设置 unit，或报告中的“评价单位”）")
    p.add_argument("--year", help="年度（默认：工作区设置 year，或报告中的“评价年度”）")
    p.add_argument("--pledge-file", help="承诺书正文（UTF-8 文本文件；默认：工作区设置 pledge_text 或内置文本）")
    p.add_argument("--since", metavar="PACKAGE_OR_RETURN",
                   help="导出补充材料包：只含该材料包（或审核意见回复）之后新增或变化的内容，以及已答复的补充材料请求")
