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

from db.database import ChainMismatch
from desktop import config
from desktop.errors import DeskError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage detected after parsing (message already in words)."""


_ARGPARSE_ZH = [
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (r"argument (\S+): invalid choice: (\S+) \(choose from (.*)\)", r"参数 \1 的值 \2 无效（可选：\3）"),
    (r"argument (\S+): invalid int value: (\S+)", r"参数 \1 应为整数，收到 \2"),
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
        code = {"unwritable": "workspace.unwritable", "tampered": "workspace.tampered"}.get(
            ws.info.reason or "", "workspace.locked")
        raise UsageError(error_text(code, {"path": str(ws.root), **ws.info.holder}))
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
    from desktop.claims.service import import_report, import_revised_report
    from desktop.ui.messages import warning_text

    with _open(args) as ws:
        if args.revises is not None:
            rev = import_revised_report(ws.db, report_id=args.revises, path=args.report)
            data = {"report_id": rev.report_id, "supersedes": rev.old_report_id, "name": rev.name,
                    "unchanged": rev.unchanged, "moved": rev.moved, "changed": rev.changed,
                    "vanished": rev.vanished, "added": rev.added}
            text = (f"已导入《{rev.name}》新版本：{len(rev.unchanged)} 个指标未变，{len(rev.moved)} 个位置变化，"
                    f"{len(rev.changed)} 个数值变化，{len(rev.vanished)} 个已删除，{len(rev.added)} 个新增")
            warnings = rev.warnings
        else:
            result = import_report(ws.db, path=args.report)
            data = {"report_id": result.report_id, "name": result.name, "claims": result.claims,
                    "candidates": result.candidates}
            text = f"已导入《{result.name}》：{result.claims} 个指标，{result.candidates} 个待确认数字"
            warnings = result.warnings
    for w in warnings:
        print(f"注意：{warning_text(w)}", file=sys.stderr)
    _out(args, data, text)
    return EXIT_OK


def cmd_claims(args: argparse.Namespace) -> int:
    from desktop.claims import extractor
    from desktop.claims.readers import read_report
    from desktop.ui.messages import warning_text

    doc = read_report(args.report)
    claims = extractor.extract(doc)
    for w in doc.warnings:
        print(f"注意：{warning_text(w)}", file=sys.stderr)
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
                "page": c.page,
                "start": c.start,
                "end": c.end,
                "flags": c.flags,
                "confidence": c.confidence,
            }
            for c in claims
        ],
    }
    lines = [f"{'' if c.confidence == 'high' else '? '}{c.value_raw}{c.unit}\t{c.subject}\t{c.quote}"
             for c in claims]
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
    from desktop.review.links import link_evidence, link_suggestion
    from desktop.ui.messages import suggestion_reason_text

    if args.evidence is None and not args.from_suggestion:
        raise UsageError("请指定佐证编号，或用 --from-suggestion 接受该指标的最佳建议。")
    with _open(args) as ws:
        if args.from_suggestion:
            change = link_suggestion(ws.db, claim_id=args.claim, evidence_id=args.evidence)
            event = ws.db.query_one("SELECT payload FROM events ORDER BY seq DESC LIMIT 1")
            reasons = json.loads(event["payload"]).get("suggestion", {}).get("reasons", [])
            if args.locator or args.note:
                from desktop.review.links import update_link

                change = update_link(ws.db, claim_id=change.claim_id, evidence_id=change.evidence_id,
                                     locator=args.locator or change.locator, note=args.note)
        else:
            reasons = []
            change = link_evidence(ws.db, claim_id=args.claim, evidence_id=args.evidence, locator=args.locator,
                                   note=args.note)
    data = {"claim_id": change.claim_id, "evidence_id": change.evidence_id, "link_id": change.link_id,
            "locator": change.locator, "origin": change.origin}
    if reasons:
        data["reason"] = suggestion_reason_text(reasons)
    where = f"（{change.locator}）" if change.locator else ""
    _out(args, data, f"已关联：指标 #{change.claim_id} ← 佐证 #{change.evidence_id}{where}")
    return EXIT_OK


def cmd_unlink(args: argparse.Namespace) -> int:
    from desktop.review.links import unlink_evidence

    with _open(args) as ws:
        change = unlink_evidence(ws.db, claim_id=args.claim, evidence_id=args.evidence)
    _out(args, {"claim_id": change.claim_id, "evidence_id": change.evidence_id},
         f"已取消关联：指标 #{change.claim_id} ↛ 佐证 #{change.evidence_id}")
    return EXIT_OK


def cmd_link_edit(args: argparse.Namespace) -> int:
    from desktop.review.links import UNSET, update_link

    if args.locator is None and args.note is None:
        raise UsageError("请用 --locator 或 --note 指定要修改的内容（空字符串表示清除）。")
    with _open(args) as ws:
        change = update_link(ws.db, claim_id=args.claim, evidence_id=args.evidence,
                             locator=UNSET if args.locator is None else args.locator,
                             note=UNSET if args.note is None else args.note)
    _out(args, {"claim_id": change.claim_id, "evidence_id": change.evidence_id, "locator": change.locator,
                "note": change.note},
         f"已修改关联：指标 #{change.claim_id} ← 佐证 #{change.evidence_id}")
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace) -> int:
    from desktop.review.suggest import SuggestionEngine
    from desktop.ui.messages import STRENGTH_NAMES, suggestion_reason_text

    with _open(args, readonly=True) as ws:
        for cid in args.claim or []:
            if ws.db.query_one("SELECT 1 FROM claims WHERE id = ?", (cid,)) is None:
                raise DeskError("claim.not_found", claim_id=cid)
        for eid in args.evidence or []:
            if ws.db.query_one("SELECT 1 FROM evidence WHERE id = ?", (eid,)) is None:
                raise DeskError("evidence.not_found", evidence_id=eid)
        engine = SuggestionEngine(ws.db)
        res = engine.for_claims(args.claim or None, evidence_ids=args.evidence or None,
                                limit=args.limit if args.limit > 0 else None)
        names = {r["id"]: r["name"] for r in ws.db.query("SELECT id, name FROM evidence")}
    out = []
    for cid, found in res.items():
        for s in found:
            if args.strong and s.strength != "strong":
                continue
            item = s.as_json()
            item["reason"] = suggestion_reason_text(s.reasons)
            item["evidence_name"] = names.get(s.evidence_id)
            out.append(item)
    order = ["claim_id", "evidence_id", "score", "strength", "reason", "locator", "evidence_name", "reasons"]
    out = [{k: item[k] for k in order} for item in out]
    text = "\n".join(
        f"#{i['claim_id']}\t← E{i['evidence_id']} {i['evidence_name']}\t[{STRENGTH_NAMES[i['strength']]}]"
        f" {i['score']:.2f}\t{i['reason']}"
        for i in out
    )
    _out(args, {"suggestions": out}, text or "（没有建议）")
    return EXIT_OK


def cmd_reject(args: argparse.Namespace) -> int:
    from desktop.review.links import reject_suggestion, unreject_suggestion

    with _open(args) as ws:
        fn = unreject_suggestion if args.undo else reject_suggestion
        change = fn(ws.db, claim_id=args.claim, evidence_id=args.evidence)
    verb = "已撤销拒绝" if args.undo else "已拒绝建议"
    _out(args, {"claim_id": change.claim_id, "evidence_id": change.evidence_id, "action": change.action},
         f"{verb}：指标 #{change.claim_id} ← 佐证 #{change.evidence_id}")
    return EXIT_OK


def cmd_not_required(args: argparse.Namespace) -> int:
    from desktop.review.links import mark_not_required, unmark_not_required

    if not args.undo and not (args.reason or "").strip():
        raise UsageError("请用 --reason 说明为什么无需佐证（或用 --undo 撤销标记）。")
    with _open(args) as ws:
        if args.undo:
            change = unmark_not_required(ws.db, claim_id=args.claim)
        else:
            change = mark_not_required(ws.db, claim_id=args.claim, reason=args.reason)
    text = (f"指标 #{change.claim_id} 已恢复为需要佐证" if args.undo
            else f"指标 #{change.claim_id} 已标记为无需佐证：{change.reason}")
    _out(args, {"claim_id": change.claim_id, "needs_evidence": change.needs_evidence, "reason": change.reason},
         text)
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from desktop.review.status import workspace_status

    with _open(args, readonly=True) as ws:
        data = workspace_status(ws.db)
    s = data["summary"]
    text = (
        f"指标 {s['claims']} 个：已有佐证 {s['with_evidence']}，缺佐证 {s['without_evidence']}，"
        f"数值未找到 {s['value_not_found']}，证据有新版本 {s['evidence_superseded']}；"
        f"佐证材料 {s['evidence']} 份，未关联 {s['unlinked_evidence']} 份"
    )
    _out(args, data, text)
    return EXIT_OK


# -- review and audit (issue 6) --


def cmd_review(args: argparse.Namespace) -> int:
    from desktop.review.review import review_claim
    from desktop.ui.messages import REVIEW_STATES

    args.role = args.role or "reviewer"  # reviewing is what the 审核 role does
    with _open(args) as ws:
        change = review_claim(ws.db, claim_id=args.claim, state=args.state, comment=args.comment)
    before = REVIEW_STATES["stale"] if change.before_stale else REVIEW_STATES[change.before]
    data = {"claim_id": change.claim_id, "review_id": change.review_id, "state": change.state,
            "before": change.before, "before_stale": change.before_stale, "comment": change.comment,
            "fingerprint": change.fingerprint, "seq": change.seq}
    _out(args, data, f"指标 #{change.claim_id}：{before} → {REVIEW_STATES[change.state]}")
    return EXIT_OK


def _event_filter(args: argparse.Namespace):
    from desktop.review.audit_log import EventFilter, local_day_end, local_day_start

    try:
        since = local_day_start(args.since) if args.since else None
        until = local_day_end(args.until) if args.until else None
    except ValueError:
        raise UsageError("日期格式应为 YYYY-MM-DD（本地日期）或完整的 ISO 时间。") from None
    return EventFilter(claim_id=args.claim, evidence_id=args.evidence, actor=args.person, action=args.action,
                       since=since, until=until)


def cmd_log(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.review.audit_log import count_events, iter_events, target_names
    from desktop.ui.audit_text import action_name, describe, export_events, role_name, target
    from desktop.ui.messages import local_time

    flt = _event_filter(args)
    with _open(args, readonly=True) as ws:
        db = ws.db

        def names(batch):
            return target_names(db, [e["claim_id"] for e in batch], [e["evidence_id"] for e in batch])

        if args.export:
            out = Path(args.export)
            if out.suffix.lower() not in (".csv", ".xlsx"):
                raise UsageError("导出文件的扩展名应为 .csv 或 .xlsx")
            try:
                n = export_events(iter_events(db, flt, newest_first=args.newest_first), out, names,
                                  total=count_events(db, flt))
            except OSError as exc:
                raise UsageError(f"无法写入 {out}：{exc.strerror or exc}") from None
            _out(args, {"exported": n, "path": str(out)}, f"已导出 {n} 条审计事件：{out}")
            return EXIT_OK
        events = list(iter_events(db, flt, newest_first=args.newest_first))
        if args.limit:
            events = events[: args.limit]
        claims, evidence = names(events)
    for e in events:
        e["description"] = describe(e, claims, evidence)
        e.pop("prev_hash", None)
    text = "\n".join(
        f"#{e['seq']}\t{local_time(e['ts'])}\t{e['actor']}（{role_name(e['role'])}）\t{action_name(e['action'])}"
        f"\t{target(e, claims, evidence)}\t{e['description']}"
        for e in events
    )
    _out(args, {"events": events}, text or "（没有符合条件的审计事件）")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.integrity import verify_workspace
    from desktop.ui.messages import problem_text

    show = not args.json and sys.stderr.isatty()
    stages = {"sqlite": "数据库结构", "triggers": "防篡改触发器", "events": "审计链", "objects": "存储对象",
              "reviews": "审核记录"}

    def progress(stage: str, done: int, total: int) -> None:
        if show:
            print(f"\r校验{stages.get(stage, stage)}：{done}/{total}    ", end="", file=sys.stderr, flush=True)

    with _open(args, readonly=True) as ws:
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
    p.add_argument("--revises", type=int, metavar="REPORT_ID",
                   help="作为报告 #REPORT_ID 的新版本导入：已有指标按原文与上下文重新定位，保留关联")
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
    p.add_argument("evidence", type=int, nargs="?", help="佐证编号（用 --from-suggestion 时可省略：取最佳建议）")
    p.add_argument("--from-suggestion", action="store_true", help="接受关联建议（位置取自建议）")
    p.add_argument("--locator", help="位置：页码、工作表!单元格或引文（默认：数值所在位置）")
    p.add_argument("--note")
    p = add("unlink", cmd_unlink, "取消关联")
    p.add_argument("claim", type=int)
    p.add_argument("evidence", type=int)
    p = add("link-edit", cmd_link_edit, "修改关联的位置或备注")
    p.add_argument("claim", type=int)
    p.add_argument("evidence", type=int)
    p.add_argument("--locator")
    p.add_argument("--note")
    p = add("suggest", cmd_suggest, "关联建议：每个指标最可能的佐证，附理由")
    p.add_argument("--claim", type=int, action="append", help="只看这个指标（可重复）")
    p.add_argument("--evidence", type=int, action="append", help="只在这份佐证中找（可重复）")
    p.add_argument("--limit", type=int, default=5, help="每个指标最多几条（0 = 不限，默认 5）")
    p.add_argument("--strong", action="store_true", help="只列强建议")
    p = add("reject", cmd_reject, "拒绝一条关联建议（以后不再建议）")
    p.add_argument("claim", type=int)
    p.add_argument("evidence", type=int)
    p.add_argument("--undo", action="store_true", help="撤销拒绝")
    p = add("not-required", cmd_not_required, "把指标标记为无需佐证（需说明理由）")
    p.add_argument("claim", type=int)
    p.add_argument("--reason")
    p.add_argument("--undo", action="store_true", help="撤销标记：恢复为需要佐证")

    # -- review and audit (issue 6) --
    p = add("review", cmd_review, "审核指标（默认以审核角色）")
    p.add_argument("claim", type=int)
    p.add_argument("state", choices=["pending", "verified", "questioned", "needs_more", "not_required"],
                   help="pending 待审核 / verified 已核实 / questioned 存疑 / needs_more 需补充 / not_required 无需佐证")
    p.add_argument("--comment", help="审核意见")
    p = add("log", cmd_log, "审计日志（默认从早到晚）")
    p.add_argument("--claim", type=int, help="只看某个指标")
    p.add_argument("--evidence", type=int, help="只看某份佐证")
    p.add_argument("--person", help="只看某人的操作")
    p.add_argument("--action", help="只看某种操作（如 review.set；以 . 结尾表示一类，如 link.）")
    p.add_argument("--since", help="起始日期 YYYY-MM-DD（含）")
    p.add_argument("--until", help="截止日期 YYYY-MM-DD（含）")
    p.add_argument("--newest-first", action="store_true", help="最新的在前")
    p.add_argument("--limit", type=int, help="最多显示多少条")
    p.add_argument("--export", help="导出到 .xlsx 或 .csv 文件")
    add("verify", cmd_verify, "校验审计链、存储与审核记录的完整性（有问题时退出码为 1）")

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    from desktop.evidence.parse_child import CHILD_FLAG

    if args_in[:1] == [CHILD_FLAG]:  # a frozen build started as its own parsing child
        from desktop.evidence.parse_child import serve

        return serve()
    parser = build_parser()
    args = parser.parse_args(argv)
    fn = getattr(args, "fn", None) or cmd_gui
    try:
        return fn(args)
    except DeskError as exc:
        from desktop.ui.messages import error_text

        print(f"错误：{error_text(exc.code, exc.params)}", file=sys.stderr)
        return EXIT_USAGE
    except ChainMismatch as exc:
        from desktop.ui.messages import error_text

        print(f"错误：{error_text('workspace.tampered', {'problem': exc.code, 'path': ''})}", file=sys.stderr)
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
