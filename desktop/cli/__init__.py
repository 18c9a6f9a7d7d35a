"""``evidence-desk``: no sub-command opens the GUI; sub-commands run headless.

Exit status: 0 ok, 1 a check found problems (``verify``, ``check``), 2 bad usage or input (a message on stderr,
never a traceback). Each area's commands live in their own module with a ``register(add)`` function;
``COMMAND_MODULES`` lists them in the order ``--help`` shows them.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from typing import Callable, Sequence

from db.database import ChainMismatch, LockTimeout
from desktop import logs
from desktop.cli import checks, claims, evidence, exchange, inspection, links, requests, review, search, workspace
from desktop.cli.base import EXIT_OK, EXIT_USAGE, UsageError, _Parser, role_arg
from desktop.errors import DeskError
from desktop.version import version_line

COMMAND_MODULES = (workspace, claims, evidence, links, review, requests, search, checks, exchange, inspection)

ACTOR_HELP = "操作人姓名，记入审计日志（默认：在程序中设置的姓名；从未设置时为系统用户名）"
ROLE_HELP = "角色：编制（editor）或 审核（reviewer）；默认编制，review 默认审核"


def workspace_shortcut(argv: list[str], commands: set[str]) -> list[str]:
    """``evidence-desk W [--actor A]``: a folder as the only positional argument opens it in the GUI."""
    positional = []
    skip = False
    for i, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a in ("--actor", "--role", "--workspace"):
            skip = True
            continue
        if not a.startswith("-"):
            positional.append(i)
    if len(positional) != 1 or "--workspace" in argv:
        return argv
    i = positional[0]
    if argv[i] in commands or not os.path.isdir(argv[i]):
        return argv
    return [*argv[:i], "--workspace", argv[i], *argv[i + 1 :]]


def _quiet_broken_pipe() -> int:
    """The reader of our output went away (``status --json | head``): stop quietly, print nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    logs.install_excepthooks("gui")
    from desktop.ui.app import run

    return run(workspace=args.workspace, actor=args.actor, role=args.role, demo=args.demo, smoke=args.smoke)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="以 JSON 输出")
    common.add_argument("--actor", metavar="姓名", help=ACTOR_HELP)
    common.add_argument("--role", type=role_arg, metavar="角色", help=ROLE_HELP)

    parser = _Parser(prog="evidence-desk", description="佐证台 EvidenceDesk：绩效自评报告的指标与佐证材料。"
                     "不带子命令时打开图形界面；evidence-desk 工作区文件夹 直接打开该工作区。")
    parser.add_argument("--workspace", help="打开指定工作区（图形界面；也可直接写 evidence-desk 工作区文件夹）")
    parser.add_argument("--demo", action="store_true", help="打开演示工作区（首次使用时自动创建）")
    parser.add_argument("--version", action="version", version=version_line(), help="显示版本号并退出")
    # packaging/smoke.sh: the GUI closes itself once the main window has been shown
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--actor", metavar="姓名", help=ACTOR_HELP)
    parser.add_argument("--role", type=role_arg, metavar="角色", help=ROLE_HELP)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="子命令")

    parser.command_names = set()

    def add(name: str, fn: Callable[[argparse.Namespace], int], help_: str, ws: bool = True):
        parser.command_names.add(name)
        p = sub.add_parser(name, parents=[common], help=help_, description=help_)
        if ws:
            p.add_argument("workspace", help="工作区文件夹")
        p.set_defaults(fn=fn)
        return p

    for module in COMMAND_MODULES:
        module.register(add)
    return parser


def _utf8_pipes() -> None:
    """Windows writes a redirected stdout in the ANSI code page (cp1252 on an English system): Chinese
    text and JSON would not encode. Pipes and files get UTF-8; a console keeps Windows' own writer."""
    if sys.platform != "win32":
        return
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and not stream.isatty():
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    from desktop.parsing.child import CHILD_FLAG

    if args_in[:1] == [CHILD_FLAG]:  # a frozen build started as its own parsing child
        from desktop.parsing.child import serve

        return serve()
    _utf8_pipes()
    from desktop.text.safe import SafeStream

    # every line the CLI prints goes through this: control characters and bidi overrides in names,
    # actors and comments are escaped (\uXXXX), never obeyed by the terminal
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        return _main(args_in)
    finally:
        sys.stdout, sys.stderr = saved


def _main(args_in: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(workspace_shortcut(args_in, parser.command_names))
    fn = getattr(args, "fn", None) or cmd_gui
    logs.setup_logging("gui" if fn is cmd_gui else f"cli:{args.command}")
    try:
        result = fn(args)
        sys.stdout.flush()
        return result
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except DeskError as exc:
        from desktop.text.messages import error_text

        print(f"错误：{error_text(exc.code, exc.params)}", file=sys.stderr)
        return EXIT_USAGE
    except ChainMismatch as exc:
        from desktop.text.messages import error_text

        print(f"错误：{error_text('workspace.tampered', {'problem': exc.code, 'path': ''})}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except LockTimeout:
        from desktop.text.messages import error_text

        print(f"错误：{error_text('workspace.busy', {'path': getattr(args, 'workspace', '') or ''})}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so briefly, keep the traceback in the log
        from desktop.errors import disk_nearly_full, is_disk_full
        from desktop.text.app import internal_error_line

        where = getattr(args, "workspace", None)
        if is_disk_full(exc) or (isinstance(exc, (OSError, sqlite3.Error)) and disk_nearly_full(where)):  # not a bug: one sentence, exit 2 (SQLite and the store keep what was committed)
            from desktop.text.messages import error_text

            print(f"错误：{error_text('disk.full', {'detail': str(exc), 'path': getattr(args, 'workspace', '') or ''})}",
                  file=sys.stderr)
            return EXIT_USAGE

        log = logs.log_unexpected(type(exc), exc, exc.__traceback__, f"cli:{args.command or 'gui'}")
        print(internal_error_line(exc, log), file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
