"""What every command shares: exit codes, the Chinese argument parser, output, opening a workspace."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage detected after parsing (message already in words)."""


_ARGPARSE_ZH = [
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (r"argument (\S+): invalid choice: (\S+) \(choose from (.*)\)", r"参数 \1 的值 \2 无效（可选：\3）"),
    (r"argument (\S+): invalid int value: (\S+)", r"参数 \1 应为整数，收到 \2"),
    (r"argument (\S+): (未知角色.*)", r"\2"),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"invalid choice: (\S+) \(choose from (.*)\)", r"无效的子命令 \1（可选：\2）"),
]


def _zh(message: str) -> str:
    import re

    for pattern, repl in _ARGPARSE_ZH:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, repl, message)
    return message


class _Parser(argparse.ArgumentParser):
    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "用法：", 1)

    def format_help(self) -> str:
        text = super().format_help().replace("usage:", "用法：", 1)
        return (text.replace("positional arguments:", "位置参数：").replace("options:", "选项：")
                .replace("show this help message and exit", "显示帮助并退出"))

    def error(self, message: str) -> None:  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"用法错误：{_zh(message)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


ROLE_ALIASES = {"editor": "editor", "reviewer": "reviewer", "编制": "editor", "审核": "reviewer"}


def role_arg(value: str) -> str:
    """``--role``: 编制 / 审核, or editor / reviewer."""
    role = ROLE_ALIASES.get(value.strip().lower() if value.isascii() else value.strip())
    if role is None:
        raise argparse.ArgumentTypeError(f"未知角色：{value}（可用：编制 或 editor，审核 或 reviewer）")
    return role


def out(args: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(text)


def open_workspace(args: argparse.Namespace, *, readonly: bool = False, ingest: bool = False):
    """Open the command's workspace. Only commands that register files (``ingest=True``: ingest, watch)
    take the writer lock; every other command writes alongside whoever holds it."""
    from desktop.workspace import Workspace

    ws = Workspace.open(args.workspace, actor=args.actor, role=args.role, readonly=readonly, ingest=ingest)
    if ws.readonly and not readonly:
        from desktop.text.messages import error_text

        ws.close()
        code = {"unwritable": "workspace.unwritable", "tampered": "workspace.tampered"}.get(
            ws.info.reason or "", "workspace.locked")
        raise UsageError(error_text(code, {"path": str(ws.root), **ws.info.holder}))
    return ws
