"""``request`` and ``requests``: 补充材料 requests — answer, accept, reopen, list."""

from __future__ import annotations

import argparse

from desktop.cli.base import EXIT_OK, id_arg, open_workspace, out

MOVES = ("answered", "accepted", "reopened")


def cmd_request(args: argparse.Namespace) -> int:
    from desktop.review.requests import accept_request, answer_request, list_requests, reopen_request
    from desktop.text.requests import REQUEST_STATES, request_line

    # answering is the group's (编制), accepting and reopening the inspector's (审核)
    args.role = args.role or ("editor" if args.state == "answered" else "reviewer")
    with open_workspace(args) as ws:
        if args.state == "answered":
            change = answer_request(ws.db, request_id=args.request_id, evidence_ids=args.evidence,
                                    comment=args.comment)
        elif args.state == "accepted":
            change = accept_request(ws.db, request_id=args.request_id, comment=args.comment)
        else:
            change = reopen_request(ws.db, request_id=args.request_id, comment=args.comment)
        row = next(r for r in list_requests(ws.db) if r["id"] == change.request_id)
    data = {"request": row, "before": change.before, "seq": change.seq}
    out(args, data, f"补充材料请求 #{change.request_id}：{REQUEST_STATES[change.before]} → "
                    f"{REQUEST_STATES[change.state]}\n{request_line(row)}")
    return EXIT_OK


def cmd_requests(args: argparse.Namespace) -> int:
    from desktop.review.requests import list_requests
    from desktop.text.requests import request_line

    with open_workspace(args, readonly=True) as ws:
        rows = list_requests(ws.db, claim_id=args.claim, states=args.state or None)
    out(args, {"requests": rows}, "\n".join(request_line(r) for r in rows) or "（没有补充材料请求）")
    return EXIT_OK


def register(add) -> None:
    p = add("request", cmd_request, "补充材料请求：答复（编制）、接受或退回（审核）")
    p.add_argument("request_id", type=id_arg)
    p.add_argument("state", choices=MOVES, help="answered 已答复 / accepted 已接受 / reopened 已退回")
    p.add_argument("--comment", help="意见或说明")
    p.add_argument("--evidence", type=id_arg, action="append", metavar="EVIDENCE_ID",
                   help="答复所用的佐证（可重复；默认：提出请求以来关联到该指标的佐证）")
    p = add("requests", cmd_requests, "补充材料清单")
    p.add_argument("--claim", type=id_arg, help="只看某个指标")
    p.add_argument("--state", action="append", choices=("open", "answered", "accepted", "reopened"),
                   help="只看某种状态（可重复）")
