"""``ingest`` and ``watch``: evidence files into the workspace."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from desktop.cli.base import (
    EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError, float_range, open_workspace, out, refuse_workspace_paths,
)
from desktop.evidence.risky import is_executable
from desktop.workspace import SETTING_RANGES
from desktop.text.status import EXECUTABLE_TAG, executable_warning


def cmd_ingest(args: argparse.Namespace) -> int:
    from desktop.evidence import fspath
    from desktop.evidence.pipeline import IngestEngine
    from desktop.evidence.queries import ingest_states
    from desktop.text.messages import OUTCOME_NAMES, TEXT_STATUS_NAMES, ingest_error_text

    with open_workspace(args, ingest=True) as ws:
        watch = str(ws.watch_dir) if ws.watch_dir else None
        paths = args.paths or ([watch] if watch else [])
        if not paths:
            raise UsageError("没有指定文件，工作区也没有设置监控文件夹。")
        for p in paths:
            if not os.path.lexists(p):
                raise UsageError(f"找不到：{p}")
        refuse_workspace_paths(ws, args.paths)
        # files named one by one: one that cannot be taken is an error in the command (exit 2), while an
        # entry of a folder that cannot be is a problem found in the folder (exit 1)
        named_files = {os.path.abspath(p) for p in args.paths if not os.path.isdir(p)}
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
            states = ingest_states(ws.db, [e["evidence_id"] for e in files.values() if "evidence_id" in e])
            for entry in files.values():
                if "evidence_id" in entry:
                    row = states[entry["evidence_id"]]
                    entry.update(status=row["status"], text_status=row["text_status"], pages=row["pages"],
                                 error=row["error"])
                    if row["error"]:
                        entry["message"] = ingest_error_text(row["error"], row["error_detail"])
        problems = [{"path": p["path"], "error": p["error"], "message": ingest_error_text(p["error"], p["error_detail"]),
                     "attempts": p["attempts"], "state": p["state"]} for p in engine.queue.problems()]
    ignored_text = [fspath.to_db(p)[0] for p in ignored]
    lines = []
    for e in files.values():
        if "evidence_id" in e:
            extra = ""
            if is_executable(e["path"]):
                e["executable"] = True
                extra = f"\t（{EXECUTABLE_TAG}）"
            if e.get("text_status"):
                extra = f"\t{TEXT_STATUS_NAMES.get(e['text_status'], e['text_status'])}"
                if e.get("message"):
                    extra += f"：{e['message']}"
            lines.append(f"E{e['evidence_id']}\t{OUTCOME_NAMES.get(e['outcome'], e['outcome'])}\t{e['path']}{extra}")
        elif e.get("outcome") == "absent":
            lines.append(f"-\t{OUTCOME_NAMES['absent']}\t{e['path']}")
    failed = {p["path"]: p for p in problems}
    for e in files.values():
        if "error" in e and "evidence_id" not in e and e["path"] not in failed:
            failed[e["path"]] = {"path": e["path"], "error": e["error"], "message": e["message"]}
    for p in failed.values():
        print(f"无法登记：{p['path']}（{p['message']}）", file=sys.stderr)
    for e in files.values():
        if e.get("executable"):
            print(f"注意：{e['path']}：{executable_warning(os.path.splitext(e['path'])[1])}", file=sys.stderr)
    if ignored_text:
        lines.append(f"（已忽略 {len(ignored_text)} 个临时/锁定文件）")
    out(args, {"files": list(files.values()), "problems": problems, "ignored": ignored_text},
         "\n".join(lines) or "（没有新文件）")
    return ingest_exit_status(failed, named_files)


def ingest_exit_status(failed: dict[str, Any], named_files: set[str]) -> int:
    """0: every file registered; 2: a file named on the command line could not be; 1: some entries of a
    folder could not be (the rest were registered)."""
    if not failed:
        return EXIT_OK
    if any(os.path.abspath(p) in named_files for p in failed):
        return EXIT_USAGE
    return EXIT_PROBLEMS


def cmd_watch(args: argparse.Namespace) -> int:
    import signal
    import threading

    from desktop.evidence.watcher import EvidenceWatcher
    from desktop.text.messages import OUTCOME_NAMES, WATCH_STATE_NAMES, ingest_error_text

    with open_workspace(args, ingest=True) as ws:
        if ws.watch_dir is None:
            raise UsageError("工作区没有设置监控文件夹（init --watch DIR）。")

        def say(data: dict[str, Any], text: str) -> None:
            print(json.dumps(data, ensure_ascii=False) if args.json else text, flush=True)

        halted: list[str] = []
        stop = threading.Event()

        def on_event(e) -> None:
            if e.kind == "halted":  # a full disk: stop watching, say it once (below), exit 2
                halted.append(e.detail or "")
                stop.set()
            elif e.kind == "registered" and e.outcome != "unchanged":
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
                    f"!\tE{e.evidence_ids[0]}：{ingest_error_text(e.error, e.detail)}")

        def on_state(state: str, detail: str) -> None:
            say({"event": "state", "state": state, "detail": detail}, f"[{WATCH_STATE_NAMES.get(state, state)}]")

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
        if halted:
            from desktop.errors import DiskFull

            raise DiskFull(detail=halted[0], path=str(ws.root))
    return EXIT_OK


def cmd_watch_dir(args: argparse.Namespace) -> int:
    from desktop.evidence.watch_dir import set_watch_dir

    if args.folder is not None and args.clear:
        raise UsageError("请只给出新的监控文件夹，或只用 --clear。")
    if args.folder is None and not args.clear:
        with open_workspace(args, readonly=True) as ws:
            current = str(ws.watch_dir) if ws.watch_dir else None
        out(args, {"watch_dir": current}, f"监控文件夹：{current}" if current else "工作区没有设置监控文件夹。")
        return EXIT_OK
    with open_workspace(args) as ws:
        change = set_watch_dir(ws.db, folder=None if args.clear else args.folder)
    text = (f"监控文件夹：{change.before or '（无）'} → {change.after}" if change.after
            else f"已取消监控文件夹（原为 {change.before}）")
    out(args, {"watch_dir": change.after, "before": change.before}, text)
    return EXIT_OK


POLL_MIN, POLL_MAX = SETTING_RANGES["ingest.poll_interval"]


def register(add) -> None:
    p = add("ingest", cmd_ingest, "登记佐证文件或文件夹（默认：监控文件夹），登记完成后返回。退出码：0 全部登记；"
            "1 文件夹中有文件无法登记（逐个列在标准错误，其余已登记）；2 用法错误、工作区不可用，或指定的文件无法登记")
    p.add_argument("paths", nargs="*")
    p.add_argument("--wait", action="store_true", help="同时等待文字、数字与缩略图处理完成")
    p = add("watch", cmd_watch, "在后台监控佐证材料文件夹（无界面），按 Ctrl+C 停止")
    p.add_argument("--mode", choices=["auto", "events", "polling"], help="监控方式（默认：工作区设置，自动）")
    p.add_argument("--poll-interval", type=float_range(POLL_MIN, POLL_MAX, unit="秒"),
                   help=f"轮询间隔（秒，{POLL_MIN}–{POLL_MAX}）")
    p = add("watch-dir", cmd_watch_dir, "查看或更改监控文件夹（不能在工作区里面，也不能包含工作区）")
    p.add_argument("folder", nargs="?", help="新的监控文件夹（不写则显示当前的）")
    p.add_argument("--clear", action="store_true", help="取消监控文件夹")
