"""``receive``, ``reply``, ``apply``: the inspector's side of the round trip and its way back."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.base import EXIT_OK, EXIT_PROBLEMS, open_workspace, out


def verification_failed(args: argparse.Namespace, exc) -> int:
    """A file that does not match its manifest: each member named, exit 1, nothing written."""
    from desktop.text.exchange import problem_text
    from desktop.text.messages import error_text

    problems = [{**p, "message": problem_text(p)} for p in exc.problems]
    head = error_text(exc.code, exc.params)
    if getattr(args, "json", False):
        out(args, {"ok": False, "problems": problems}, "")
    print("错误：" + head + "\n" + "\n".join(f"  - {p['message']}" for p in problems), file=sys.stderr)
    return EXIT_PROBLEMS


def cmd_receive(args: argparse.Namespace) -> int:
    from desktop.exchange.archive import VerificationFailed
    from desktop.exchange.receive import receive
    from desktop.text.inspection import received_text

    try:
        result = receive(args.package, args.workspace, actor=args.actor, force=args.force)
    except VerificationFailed as exc:
        return verification_failed(args, exc)
    data = result.as_json()
    out(args, data, received_text(data))
    return EXIT_OK


def cmd_reply(args: argparse.Namespace) -> int:
    from desktop.exchange.reply import reply
    from desktop.text.inspection import reply_text

    args.role = "reviewer"
    with open_workspace(args) as ws:
        result = reply(ws, args.out)
    data = result.as_json()
    out(args, data, reply_text(data))
    return EXIT_OK


def cmd_apply(args: argparse.Namespace) -> int:
    from desktop.exchange.apply import apply_return
    from desktop.exchange.archive import VerificationFailed
    from desktop.text.inspection import applied_text

    args.role = args.role or "editor"
    with open_workspace(args) as ws:
        try:
            result = apply_return(ws, args.returned)
        except VerificationFailed as exc:
            return verification_failed(args, exc)
    data = result.as_json()
    out(args, data, applied_text(data))
    return EXIT_OK


def export_supplement_command(args: argparse.Namespace, progress, show: bool) -> int:
    """``export W OUT.zip --since PACKAGE_OR_RETURN`` (called by the export command). It writes beside
    whoever holds the writer lock (the group's window watching the folder), so the supplement is recorded:
    a later ``--since`` and the inspector's return refer to it."""
    from desktop.cli.base import UsageError
    from desktop.exchange.archive import VerificationFailed
    from desktop.exchange.supplement import export_supplement
    from desktop.text import exchange as T
    from desktop.text.inspection import supplement_text
    from desktop.workspace import Workspace

    if args.binder or args.all or args.unit or args.year or args.pledge_file:
        raise UsageError("--since（补充材料包）不能与 --binder、--all、--unit、--year、--pledge-file 一起使用。")
    with Workspace.open(args.workspace, actor=args.actor, role=args.role, ingest=False) as ws:
        try:
            result = export_supplement(ws, args.out, since=args.since, progress=progress)
        except VerificationFailed as exc:
            return verification_failed(args, exc)
    if show:
        print(file=sys.stderr)
    data = result.as_json()
    text = supplement_text(data)
    if not result.recorded:
        text += "\n" + T.NOT_RECORDED.get(result.not_recorded_reason or "", T.NOT_RECORDED["readonly"])
    out(args, data, text)
    return EXIT_OK


def register(add) -> None:
    p = add("receive", cmd_receive, "接收佐证材料包（生成审核工作区）或补充材料包（并入审核工作区）", ws=False)
    p.add_argument("package", help="材料包或补充材料包（.zip）")
    p.add_argument("workspace", help="审核工作区文件夹（接收材料包时应为新的或空的文件夹）")
    p.add_argument("--force", action="store_true", help="材料包中有佐证文件校验失败时仍然打开（这些文件标记为“校验失败”）")
    p = add("reply", cmd_reply, "从审核工作区生成审核意见回复（.zip：审核意见、补充材料请求、审计记录、审核意见书、补充材料通知单）")
    p.add_argument("out", help="回复文件（.zip）")
    p = add("apply", cmd_apply, "在本单位工作区应用审核意见回复（.zip）")
    p.add_argument("returned", metavar="RETURN", help="审核意见回复（.zip）")
