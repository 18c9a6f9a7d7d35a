"""``link``, ``unlink``, ``link-edit``, ``suggest``, ``reject``, ``not-required``."""

from __future__ import annotations

import argparse

from desktop.cli.base import EXIT_OK, LIMIT_MAX, UsageError, id_arg, int_range, open_workspace, out
from desktop.errors import DeskError


def cmd_link(args: argparse.Namespace) -> int:
    from desktop.review.links import link_evidence, link_suggestion
    from desktop.review.queries import accepted_suggestion_reasons
    from desktop.text.messages import suggestion_reason_text

    if args.evidence is None and not args.from_suggestion:
        raise UsageError("请指定佐证编号，或用 --from-suggestion 接受该指标的最佳建议。")
    with open_workspace(args) as ws:
        if args.from_suggestion:
            change = link_suggestion(ws.db, claim_id=args.claim, evidence_id=args.evidence)
            reasons = accepted_suggestion_reasons(ws.db, change.claim_id, change.evidence_id)
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
    out(args, data, f"已关联：指标 #{change.claim_id} ← 佐证 #{change.evidence_id}{where}")
    return EXIT_OK


def cmd_unlink(args: argparse.Namespace) -> int:
    from desktop.review.links import unlink_evidence

    with open_workspace(args) as ws:
        change = unlink_evidence(ws.db, claim_id=args.claim, evidence_id=args.evidence)
    out(args, {"claim_id": change.claim_id, "evidence_id": change.evidence_id},
         f"已取消关联：指标 #{change.claim_id} ↛ 佐证 #{change.evidence_id}")
    return EXIT_OK


def cmd_link_edit(args: argparse.Namespace) -> int:
    from desktop.review.links import UNSET, update_link

    if args.locator is None and args.note is None:
        raise UsageError("请用 --locator 或 --note 指定要修改的内容（空字符串表示清除）。")
    with open_workspace(args) as ws:
        change = update_link(ws.db, claim_id=args.claim, evidence_id=args.evidence,
                             locator=UNSET if args.locator is None else args.locator,
                             note=UNSET if args.note is None else args.note)
    out(args, {"claim_id": change.claim_id, "evidence_id": change.evidence_id, "locator": change.locator,
                "note": change.note},
         f"已修改关联：指标 #{change.claim_id} ← 佐证 #{change.evidence_id}")
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace) -> int:
    from desktop.claims.queries import claim_exists
    from desktop.evidence.queries import evidence_exists, evidence_names
    from desktop.review.suggest import SuggestionEngine
    from desktop.text.messages import STRENGTH_NAMES, suggestion_reason_text

    with open_workspace(args, readonly=True) as ws:
        for cid in args.claim or []:
            if not claim_exists(ws.db, cid):
                raise DeskError("claim.not_found", claim_id=cid)
        for eid in args.evidence or []:
            if not evidence_exists(ws.db, eid):
                raise DeskError("evidence.not_found", evidence_id=eid)
        engine = SuggestionEngine(ws.db)
        res = engine.for_claims(args.claim or None, evidence_ids=args.evidence or None,
                                limit=args.limit if args.limit > 0 else None)
        names = evidence_names(ws.db)
    items = []
    for cid, found in res.items():
        for s in found:
            if args.strong and s.strength != "strong":
                continue
            item = s.as_json()
            item["reason"] = suggestion_reason_text(s.reasons)
            item["evidence_name"] = names.get(s.evidence_id)
            items.append(item)
    order = ["claim_id", "evidence_id", "score", "strength", "reason", "locator", "evidence_name", "places", "reasons"]
    items = [{k: item[k] for k in order} for item in items]
    text = "\n".join(
        f"#{i['claim_id']}\t← E{i['evidence_id']} {i['evidence_name']}\t[{STRENGTH_NAMES[i['strength']]}]"
        f" {i['score']:.2f}\t{i['reason']}"
        for i in items
    )
    out(args, {"suggestions": items}, text or "（没有建议）")
    return EXIT_OK


def cmd_reject(args: argparse.Namespace) -> int:
    from desktop.review.links import reject_suggestion, unreject_suggestion

    with open_workspace(args) as ws:
        fn = unreject_suggestion if args.undo else reject_suggestion
        change = fn(ws.db, claim_id=args.claim, evidence_id=args.evidence)
    verb = "已撤销拒绝" if args.undo else "已拒绝建议"
    out(args, {"claim_id": change.claim_id, "evidence_id": change.evidence_id, "action": change.action},
         f"{verb}：指标 #{change.claim_id} ← 佐证 #{change.evidence_id}")
    return EXIT_OK


def cmd_not_required(args: argparse.Namespace) -> int:
    from desktop.review.links import mark_not_required, unmark_not_required

    if not args.undo and not (args.reason or "").strip():
        raise UsageError("请用 --reason 说明为什么无需佐证（或用 --undo 撤销标记）。")
    with open_workspace(args) as ws:
        if args.undo:
            change = unmark_not_required(ws.db, claim_id=args.claim)
        else:
            change = mark_not_required(ws.db, claim_id=args.claim, reason=args.reason)
    text = (f"指标 #{change.claim_id} 已恢复为需要佐证" if args.undo
            else f"指标 #{change.claim_id} 已标记为无需佐证：{change.reason}")
    out(args, {"claim_id": change.claim_id, "needs_evidence": change.needs_evidence, "reason": change.reason},
         text)
    return EXIT_OK


def register(add) -> None:
    p = add("link", cmd_link, "关联指标与佐证")
    p.add_argument("claim", type=id_arg)
    p.add_argument("evidence", type=id_arg, nargs="?", help="佐证编号（用 --from-suggestion 时可省略：取最佳建议）")
    p.add_argument("--from-suggestion", action="store_true", help="接受关联建议（位置取自建议）")
    p.add_argument("--locator", help="位置：页码、工作表!单元格或引文（默认：数值所在位置）")
    p.add_argument("--note")
    p = add("unlink", cmd_unlink, "取消关联")
    p.add_argument("claim", type=id_arg)
    p.add_argument("evidence", type=id_arg)
    p = add("link-edit", cmd_link_edit, "修改关联的位置或备注")
    p.add_argument("claim", type=id_arg)
    p.add_argument("evidence", type=id_arg)
    p.add_argument("--locator")
    p.add_argument("--note")
    p = add("suggest", cmd_suggest, "关联建议：每个指标最可能的佐证，附理由")
    p.add_argument("--claim", type=id_arg, action="append", help="只看这个指标（可重复）")
    p.add_argument("--evidence", type=id_arg, action="append", help="只在这份佐证中找（可重复）")
    p.add_argument("--limit", type=int_range(0, LIMIT_MAX, zero_means="不限"), default=5, help="每个指标最多几条（0 = 不限，默认 5）")
    p.add_argument("--strong", action="store_true", help="只列强建议")
    p = add("reject", cmd_reject, "拒绝一条关联建议（以后不再建议）")
    p.add_argument("claim", type=id_arg)
    p.add_argument("evidence", type=id_arg)
    p.add_argument("--undo", action="store_true", help="撤销拒绝")
    p = add("not-required", cmd_not_required, "把指标标记为无需佐证（需说明理由）")
    p.add_argument("claim", type=id_arg)
    p.add_argument("--reason")
    p.add_argument("--undo", action="store_true", help="撤销标记：恢复为需要佐证")
