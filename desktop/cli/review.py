"""``review`` and ``log``: review states and the audit trail."""

from __future__ import annotations

import argparse

from desktop.cli.base import (
    EXIT_OK, LIMIT_MAX, UsageError, date_arg, day_or_time_arg, id_arg, int_range, open_workspace, out,
)


def cmd_review(args: argparse.Namespace) -> int:
    from desktop.review.review import review_claim
    from desktop.text.messages import REVIEW_STATES

    args.role = args.role or "reviewer"  # reviewing is what the 审核 role does
    if (args.request or args.due) and args.state != "needs_more":
        raise UsageError("--request 与 --due 只能用于 needs_more（需补充）。")
    if args.due and not args.request:
        raise UsageError("--due 只能与 --request 一起使用。")
    with open_workspace(args) as ws:
        change = review_claim(ws.db, claim_id=args.claim, state=args.state, comment=args.comment,
                              requests=args.request, due=args.due)
    before = REVIEW_STATES["stale"] if change.before_stale else REVIEW_STATES[change.before]
    data = {"claim_id": change.claim_id, "review_id": change.review_id, "state": change.state,
            "before": change.before, "before_stale": change.before_stale, "comment": change.comment,
            "fingerprint": change.fingerprint, "seq": change.seq, "request_ids": change.request_ids}
    text = f"指标 #{change.claim_id}：{before} → {REVIEW_STATES[change.state]}"
    if change.request_ids:
        text += "；补充材料请求 " + "、".join(f"#{i}" for i in change.request_ids)
    out(args, data, text)
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
    from desktop.text.audit import action_name, describe, export_events, role_name, target
    from desktop.text.messages import local_time

    flt = _event_filter(args)
    with open_workspace(args, readonly=True) as ws:
        db = ws.db

        def names(batch):
            return target_names(db, [e["claim_id"] for e in batch], [e["evidence_id"] for e in batch])

        if args.export:
            dest = Path(args.export)
            if dest.suffix.lower() not in (".csv", ".xlsx"):
                raise UsageError("导出文件的扩展名应为 .csv 或 .xlsx")
            try:
                n = export_events(iter_events(db, flt, newest_first=args.newest_first), dest, names,
                                  total=count_events(db, flt))
            except OSError as exc:
                raise UsageError(f"无法写入 {dest}：{exc.strerror or exc}") from None
            out(args, {"exported": n, "path": str(dest)}, f"已导出 {n} 条审计事件：{dest}")
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
    out(args, {"events": events}, text or "（没有符合条件的审计事件）")
    return EXIT_OK


def register(add) -> None:
    p = add("review", cmd_review, "审核指标（默认以审核角色）")
    p.add_argument("claim", type=id_arg)
    p.add_argument("state", choices=["pending", "verified", "questioned", "needs_more", "not_required"],
                   help="pending 待审核 / verified 已核实 / questioned 存疑 / needs_more 需补充 / not_required 无需佐证")
    p.add_argument("--comment", help="审核意见")
    p.add_argument("--request", action="append", metavar="TEXT",
                   help="补充材料请求：缺什么（可重复；仅用于 needs_more）")
    p.add_argument("--due", type=date_arg, metavar="YYYY-MM-DD", help="补充材料的截止日期")
    p = add("log", cmd_log, "审计日志（默认从早到晚）")
    p.add_argument("--claim", type=id_arg, help="只看某个指标")
    p.add_argument("--evidence", type=id_arg, help="只看某份佐证")
    p.add_argument("--person", help="只看某人的操作")
    p.add_argument("--action", help="只看某种操作（如 review.set；以 . 结尾表示一类，如 link.）")
    p.add_argument("--since", type=day_or_time_arg, help="起始日期 YYYY-MM-DD（含）")
    p.add_argument("--until", type=day_or_time_arg, help="截止日期 YYYY-MM-DD（含）")
    p.add_argument("--newest-first", action="store_true", help="最新的在前")
    p.add_argument("--limit", type=int_range(0, LIMIT_MAX, zero_means="不限"), help="最多显示多少条（0 = 不限）")
    p.add_argument("--export", help="导出到 .xlsx 或 .csv 文件")
