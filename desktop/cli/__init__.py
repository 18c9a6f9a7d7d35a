"""``evidence-desk``: no sub-command opens the GUI; sub-commands run headless.

Exit status: 0 ok, 1 a check found problems (``verify``), 2 bad usage or input (a message on stderr,
never a traceback). Each area's commands live in their own module with a ``register(add)`` function;
``COMMAND_MODULES`` lists them in the order ``--help`` shows them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from db.database import ChainMismatch, LockTimeout
from desktop import logs
from desktop.cli import claims, evidence, exchange, inspection, links, requests, review, workspace
from desktop.cli.base import EXIT_USAGE, UsageError, _Parser
from desktop.errors import DeskError
from desktop.version import version_line

COMMAND_MODULES = (workspace, claims, evidence, links, review, requests, exchange, inspection)


def cmd_gui(args: argparse.Namespace) -> int:
    logs.install_excepthooks("gui")
    from desktop.ui.app import run

    return run(workspace=args.workspace, actor=args.actor, role=args.role, demo=args.demo, smoke=args.smoke)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="以 JSON 输出")
    common.add_argument("--actor", help="操作人姓名（默认：系统用户名或设置中的姓名）")
    common.add_argument("--role", choices=["editor", "reviewer"], help="角色：editor 编制 / reviewer 审核")

    parser = _Parser(prog="evidence-desk", description="佐证台 EvidenceDesk：绩效自评报告的指标与佐证材料")
    parser.add_argument("--workspace", help="打开指定工作区（图形界面）")
    parser.add_argument("--demo", action="store_true", help="打开演示工作区（首次使用时自动创建）")
    parser.add_argument("--version", action="version", version=version_line(), help="显示版本号并退出")
    # packaging/smoke.sh: the GUI closes itself once the main window has been shown
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--actor", help=argparse.SUPPRESS)
    parser.add_argument("--role", choices=["editor", "reviewer"], help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def add(name: str, fn: Callable[[argparse.Namespace], int], help_: str, ws: bool = True):
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
    from desktop.evidence.parse_child import CHILD_FLAG

    if args_in[:1] == [CHILD_FLAG]:  # a frozen build started as its own parsing child
        from desktop.evidence.parse_child import serve

        return serve()
    _utf8_pipes()
    parser = build_parser()
    args = parser.parse_args(argv)
    fn = getattr(args, "fn", None) or cmd_gui
    logs.setup_logging("gui" if fn is cmd_gui else f"cli:{args.command}")
    try:
        return fn(args)
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
        from desktop.text.app import internal_error_line

        log = logs.log_unexpected(type(exc), exc, exc.__traceback__, f"cli:{args.command or 'gui'}")
        print(internal_error_line(exc, log), file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
