"""``evidence-desk``: no sub-command opens the GUI; sub-commands run headless.

Exit status: 0 ok, 1 a check found problems (``verify``), 2 bad usage or input (a message on stderr,
never a traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any, Callable, Sequence

from desktop import config
from desktop.errors import DeskError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage detected after parsing (message already in words)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _out(args: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(text)


def _open(args: argparse.Namespace, *, readonly: bool = False):
    from desktop.workspace import Workspace

    ws = Workspace.open(args.workspace, actor=args.actor, role=args.role, readonly=readonly)
    if ws.readonly and not readonly:
        from desktop.ui.messages import error_text

        ws.close()
        raise UsageError(error_text("workspace.locked", {"path": str(ws.root)}))
    return ws


# -- commands ---------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from desktop.workspace import Workspace

    with Workspace.create(args.workspace, watch_dir=args.watch, actor=args.actor) as ws:
        data = {"workspace": str(ws.root), "watch_dir": str(ws.watch_dir) if ws.watch_dir else None}
    config.save_config(last_workspace=data["workspace"])
    _out(args, data, f"已创建工作区：{data['workspace']}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.claims.service import import_report

    with _open(args) as ws:
        result = import_report(ws.db, path=args.report)
    data = {"report_id": result.report_id, "name": result.name, "claims": result.claims,
            "candidates": result.candidates}
    _out(args, data, f"已导入《{result.name}》：{result.claims} 个指标，{result.candidates} 个待确认数字")
    return EXIT_OK


def cmd_claims(args: argparse.Namespace) -> int:
    from desktop.claims import extractor
    from desktop.claims.readers import read_report

    doc = read_report(args.report)
    claims = extractor.extract(doc)
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
                "part": c.part,
                "page": c.page,
                "start": c.start,
                "end": c.end,
                "flags": c.flags,
                "confidence": c.confidence,
            }
            for c in claims
        ],
    }
    lines = [f"{c.value_raw}{c.unit}\t{c.subject}\t{c.quote}" for c in claims]
    _out(args, data, "\n".join(lines) or "（没有找到指标）")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from desktop.evidence import fspath
    from desktop.evidence.pipeline import IngestEngine
    from desktop.ui.messages import OUTCOME_NAMES, TEXT_STATUS_NAMES, ingest_error_text

    with _open(args) as ws:
        watch = str(ws.watch_dir) if ws.watch_dir else None
        paths = args.paths or ([watch] if watch else [])
        if not paths:
            raise UsageError("没有指定文件，工作区也没有设置监控文件夹。")
        for p in paths:
            if not os.path.lexists(p):
                raise UsageError(f"找不到：{p}")
        files: dict[str, dict[str, Any]] = {}
        ignored: list[str] = []

        def on_event(e) -> None:
            if e.kind == "registered":
                files[e.path] = {"path": e.path, "evidence_id": e.evidence_ids[0], "outcome": e.outcome,
                                 "sha256": e.data.get("sha256"), "supersedes": e.data.get("supersedes")}
            elif e.kind == "absent":
                files[e.path] = {"path": e.path, "evidence_ids": e.evidence_ids, "outcome": "absent"}
            elif e.kind in ("failed", "retrying") and e.path:
                files[e.path] = {"path": e.path, "error": e.error, "message": ingest_error_text(e.error, e.detail),
                                 "detail": e.detail, "will_retry": e.kind == "retrying"}
            elif e.kind == "scanned":
                ignored.extend(e.data.get("ignored", []))
            elif e.kind == "ignored" and e.path:
                ignored.append(e.path)

        engine = IngestEngine(ws, listener=on_event, watch_root=watch)
        engine.start()
        try:
            if args.paths:
                engine.submit_paths(args.paths, origin="cli")
            else:
                engine.scan(watch, origin="cli")
            engine.wait_idle(derived=args.wait)
        finally:
            engine.stop()
        if args.wait:
            for entry in files.values():
                if "evidence_id" in entry:
                    row = ws.db.query_one("SELECT status, text_status, error, pages FROM evidence WHERE id = ?",
                                          (entry["evidence_id"],))
                    entry.update(status=row["status"], text_status=row["text_status"], pages=row["pages"],
                                 error=row["error"])
                    if row["error"]:
                        entry["message"] = ingest_error_text(row["error"])
        problems = [{"path": p["path"], "error": p["error"], "message": ingest_error_text(p["error"], p["error_detail"]),
                     "attempts": p["attempts"], "state": p["state"]} for p in engine.queue.problems()]
    ignored_text = [fspath.to_db(p)[0] for p in ignored]
    lines = []
    for e in files.values():
        if "evidence_id" in e:
            extra = ""
            if e.get("text_status"):
                extra = f"\t{TEXT_STATUS_NAMES.get(e['text_status'], e['text_status'])}"
                if e.get("message"):
                    extra += f"：{e['message']}"
            lines.append(f"E{e['evidence_id']}\t{OUTCOME_NAMES.get(e['outcome'], e['outcome'])}\t{e['path']}{extra}")
        elif e.get("outcome") == "absent":
            lines.append(f"-\t{OUTCOME_NAMES['absent']}\t{e['path']}")
    for p in problems:
        print(f"无法登记：{p['path']}（{p['message']}）", file=sys.stderr)
    if ignored_text:
        lines.append(f"（已忽略 {len(ignored_text)} 个临时/锁定文件）")
    _out(args, {"files": list(files.values()), "problems": problems, "ignored": ignored_text},
         "\n".join(lines) or "（没有新文件）")
    failed_now = any("error" in e and "evidence_id" not in e for e in files.values())
    return EXIT_USAGE if failed_now else EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    import signal
    import threading

    from desktop.evidence.watcher import EvidenceWatcher
    from desktop.ui.messages import OUTCOME_NAMES, WATCH_STATE_NAMES, ingest_error_text

    with _open(args) as ws:
        if ws.watch_dir is None:
            raise UsageError("工作区没有设置监控文件夹（init --watch DIR）。")

        def say(data: dict[str, Any], text: str) -> None:
            print(json.dumps(data, ensure_ascii=False) if args.json else text, flush=True)

        def on_event(e) -> None:
            if e.kind == "registered" and e.outcome != "unchanged":
                say({"event": e.kind, "evidence_id": e.evidence_ids[0], "outcome": e.outcome, "path": e.path},
                    f"E{e.evidence_ids[0]}\t{OUTCOME_NAMES.get(e.outcome, e.outcome)}\t{e.path}")
            elif e.kind == "absent":
                say({"event": e.kind, "evidence_ids": e.evidence_ids, "path": e.path},
                    f"-\t{OUTCOME_NAMES['absent']}\t{e.path}")
            elif e.kind == "failed" and e.path:
                say({"event": e.kind, "path": e.path, "error": e.error},
                    f"!\t{ingest_error_text(e.error, e.detail)}\t{e.path}")
            elif e.kind == "indexed" and e.error:
                say({"event": e.kind, "evidence_id": e.evidence_ids[0], "error": e.error},
                    f"!\tE{e.evidence_ids[0]}：{ingest_error_text(e.error)}")

        def on_state(state: str, detail: str) -> None:
            say({"event": "state", "state": state, "detail": detail}, f"[{WATCH_STATE_NAMES.get(state, state)}]")

        stop = threading.Event()

        def on_signal(signum, frame) -> None:
            stop.set()

        old = signal.signal(signal.SIGTERM, on_signal)
        watcher = EvidenceWatcher(ws, mode=args.mode, poll_interval=args.poll_interval, listener=on_event,
                                  state_listener=on_state)
        watcher.start()
        say({"event": "started", "folder": watcher.folder, "mode": watcher.mode},
            f"正在监控 {watcher.folder}（{'轮询' if watcher.mode == 'polling' else '文件系统事件'}），按 Ctrl+C 停止。")
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            watcher.stop()
            signal.signal(signal.SIGTERM, old)
    return EXIT_OK


def cmd_link(args: argparse.Namespace) -> int:
    from desktop.review.links import link_evidence

    with _open(args) as ws:
        change = link_evidence(ws.db, claim_id=args.claim, evidence_id=args.evidence, locator=args.locator,
                               note=args.note)
    _out(args, {"claim_id": change.claim_id, "evidence_id": change.evidence_id, "link_id": change.link_id},
         f"已关联：指标 #{change.claim_id} ← 佐证 #{change.evidence_id}")
    return EXIT_OK


def cmd_unlink(args: argparse.Namespace) -> int:
    from desktop.review.links import unlink_evidence

    with _open(args) as ws:
        change = unlink_evidence(ws.db, claim_id=args.claim, evidence_id=args.evidence)
    _out(args, {"claim_id": change.claim_id, "evidence_id": change.evidence_id},
         f"已取消关联：指标 #{change.claim_id} ↛ 佐证 #{change.evidence_id}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from desktop.review.status import workspace_status

    with _open(args, readonly=True) as ws:
        data = workspace_status(ws.db)
    s = data["summary"]
    text = (
        f"指标 {s['claims']} 个：已有佐证 {s['with_evidence']}，缺佐证 {s['without_evidence']}；"
        f"佐证材料 {s['evidence']} 份，未关联 {s['unlinked_evidence']} 份"
    )
    _out(args, data, text)
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    with _open(args, readonly=True) as ws:
        rows = ws.db.query(
            "SELECT seq, ts, actor, role, action, report_id, claim_id, evidence_id, payload, hash"
            " FROM events ORDER BY seq"
        )
    events = [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]
    text = "\n".join(f"#{e['seq']}\t{e['ts']}\t{e['actor']}\t{e['action']}" for e in events)
    _out(args, {"events": events}, text)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.integrity import verify_workspace
    from desktop.ui.messages import problem_text

    with _open(args, readonly=True) as ws:
        report = verify_workspace(ws)
    data = {"ok": report.ok, "events": report.events, "objects": report.objects,
            "problems": [{**p, "message": problem_text(p)} for p in report.problems]}
    if report.ok:
        text = f"完整性校验通过：{report.events} 条审计事件，{report.objects} 个存储对象。"
    else:
        text = "完整性校验发现问题：\n" + "\n".join(f"  - {problem_text(p)}" for p in report.problems)
    _out(args, data, text)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def cmd_gui(args: argparse.Namespace) -> int:
    from desktop.ui.app import run

    return run(workspace=args.workspace, actor=args.actor, role=args.role, demo=args.demo)


# -- parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="以 JSON 输出")
    common.add_argument("--actor", help="操作人姓名（默认：系统用户名或设置中的姓名）")
    common.add_argument("--role", choices=["editor", "reviewer"], help="角色：editor 编制 / reviewer 审核")

    parser = _Parser(prog="evidence-desk", description="佐证台 EvidenceDesk：绩效自评报告的指标与佐证材料")
    parser.add_argument("--workspace", help="打开指定工作区（图形界面）")
    parser.add_argument("--demo", action="store_true", help="打开演示工作区（首次使用时自动创建）")
    parser.add_argument("--actor", help=argparse.SUPPRESS)
    parser.add_argument("--role", choices=["editor", "reviewer"], help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def add(name: str, fn: Callable[[argparse.Namespace], int], help_: str, ws: bool = True):
        p = sub.add_parser(name, parents=[common], help=help_, description=help_)
        if ws:
            p.add_argument("workspace", help="工作区文件夹")
        p.set_defaults(fn=fn)
        return p

    # -- workspace (foundation) --
    p = add("init", cmd_init, "新建工作区")
    p.add_argument("--watch", help="佐证材料文件夹（监控）")
    add("status", cmd_status, "工作区状态：指标、佐证与缺口")

    # -- claims (issue 3) --
    p = add("import", cmd_import, "导入报告并抽取指标")
    p.add_argument("report")
    p = add("claims", cmd_claims, "从报告抽取指标（不需要工作区）", ws=False)
    p.add_argument("report")

    # -- evidence (issue 4) --
    p = add("ingest", cmd_ingest, "登记佐证文件或文件夹（默认：监控文件夹），登记完成后返回；"
            "有文件无法登记时退出码为 2")
    p.add_argument("paths", nargs="*")
    p.add_argument("--wait", action="store_true", help="同时等待文字、数字与缩略图处理完成")
    p = add("watch", cmd_watch, "在后台监控佐证材料文件夹（无界面），按 Ctrl+C 停止")
    p.add_argument("--mode", choices=["auto", "events", "polling"], help="监控方式（默认：工作区设置，自动）")
    p.add_argument("--poll-interval", type=float, help="轮询间隔（秒）")

    # -- links and suggestions (issue 5) --
    p = add("link", cmd_link, "关联指标与佐证")
    p.add_argument("claim", type=int)
    p.add_argument("evidence", type=int)
    p.add_argument("--locator", help="位置：页码、工作表!单元格或引文")
    p.add_argument("--note")
    p = add("unlink", cmd_unlink, "取消关联")
    p.add_argument("claim", type=int)
    p.add_argument("evidence", type=int)

    # -- review and audit (issue 6) --
    add("log", cmd_log, "审计日志")
    add("verify", cmd_verify, "校验审计链与存储的完整性（有问题时退出码为 1）")

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    fn = getattr(args, "fn", None) or cmd_gui
    try:
        return fn(args)
    except DeskError as exc:
        from desktop.ui.messages import error_text

        print(f"错误：{error_text(exc.code, exc.params)}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so briefly, keep the traceback in a log file
        log = config.data_dir() / "error.log"
        with open(log, "a", encoding="utf-8") as f:
            traceback.print_exc(file=f)
        print(f"内部错误：{type(exc).__name__}: {exc}（详情见 {log}）", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
