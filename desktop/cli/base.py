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
    (r"argument (\S+): (超出范围.*)", r"参数 \1 \2"),
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


# -- numbers and dates on the command line: each option says its allowed range ----------------------

#: the largest id SQLite can hold (a signed 64-bit INTEGER); anything above cannot name a row
ID_MAX = 2**63 - 1
#: ``--limit`` options: how many rows to list (0 = no limit)
LIMIT_MAX = 1_000_000
#: dates a person can mean in this app (a 截止日期, an audit-log day): outside them, a typo
DATE_MIN, DATE_MAX = "1900-01-01", "2100-12-31"


def _range_words(lo, hi) -> str:
    return f"{lo} 到 {hi}"


def int_range(lo: int, hi: int, *, zero_means: str | None = None):
    """An argparse ``type``: an integer in ``[lo, hi]``; anything else (not a number, out of range, absurdly
    large) is the usage error ``超出范围：应为 lo 到 hi 之间的整数…`` (exit 2), named before any work starts."""

    def parse(text: str) -> int:
        value = text.strip()
        try:
            number = int(value, 10) if len(value) <= 40 else None
        except ValueError:
            number = None
        if number is None or not lo <= number <= hi:
            extra = f"；0 表示{zero_means}" if zero_means else ""
            raise argparse.ArgumentTypeError(
                f"超出范围：应为 {_range_words(lo, hi)} 之间的整数{extra}，收到 {safe_arg(text)}")
        return number

    parse.__name__ = "整数"
    return parse


def float_range(lo: float, hi: float, *, unit: str = ""):
    """An argparse ``type``: a finite number in ``[lo, hi]`` (``nan``, ``inf`` and negatives are refused)."""
    import math

    def parse(text: str) -> float:
        try:
            number = float(text.strip())
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or not lo <= number <= hi:
            raise argparse.ArgumentTypeError(
                f"超出范围：应为 {_range_words(_num(lo), _num(hi))}{unit} 之间的数，收到 {safe_arg(text)}")
        return number

    parse.__name__ = "数值"
    return parse


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def date_arg(text: str) -> str:
    """An argparse ``type``: a date ``YYYY-MM-DD`` between :data:`DATE_MIN` and :data:`DATE_MAX`."""
    import datetime as _dt

    value = text.strip()
    try:
        day = _dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not DATE_MIN <= day.isoformat() <= DATE_MAX:
        raise argparse.ArgumentTypeError(
            f"超出范围：应为 {_range_words(DATE_MIN, DATE_MAX)} 之间的日期（YYYY-MM-DD），收到 {safe_arg(text)}")
    return day.isoformat()


def day_or_time_arg(text: str) -> str:
    """An argparse ``type`` for ``--since`` / ``--until``: a date as :func:`date_arg`, or a full ISO time in
    the same years."""
    import datetime as _dt

    value = text.strip()
    if len(value) == 10:
        return date_arg(value)
    try:
        when = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or not DATE_MIN <= when.date().isoformat() <= DATE_MAX:
        raise argparse.ArgumentTypeError(
            f"超出范围：应为 {_range_words(DATE_MIN, DATE_MAX)} 之间的日期（YYYY-MM-DD）或 ISO 时间，"
            f"收到 {safe_arg(text)}")
    return value


def safe_arg(text: str, limit: int = 60) -> str:
    """A user's argument quoted back in a message: control characters escaped, cut when very long."""
    from desktop.text.safe import printable

    shown = printable(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


#: ids of rows (claims, evidence, reports, requests, tables)
id_arg = int_range(1, ID_MAX)


def progress_line(text: str) -> None:
    """Rewrite the progress line on stderr (``\\r`` + text): the one place the CLI writes a carriage return
    (every other control character is escaped on the way out, see :class:`desktop.text.safe.SafeStream`)."""
    from desktop.text.safe import printable

    stream = getattr(sys.stderr, "wrapped", sys.stderr)
    stream.write("\r" + printable(text))
    stream.flush()


def out(args: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(text)


def refuse_workspace_paths(ws, paths) -> None:
    """Paths named on the command line that lead into the workspace itself (its database, store,
    thumbnails — through a link or not) are refused before anything is read: exit 2 with the path."""
    from desktop import confine
    from desktop.text.messages import error_text

    ws_real = confine.real(ws.root)
    exempt = confine.real(ws.watch_dir) if ws.watch_dir else None  # (the demo keeps its folder inside)
    for p in paths or ():
        if confine.problem(str(p), root_real=None, workspace_real=ws_real, exempt_real=exempt) is not None:
            raise UsageError(error_text("ingest.into_workspace", {"path": str(p)}))


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
