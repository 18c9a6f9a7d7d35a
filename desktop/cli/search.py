"""``search``: evidence by name, path, text and — for numbers — value at any scale."""

from __future__ import annotations

import argparse

from desktop.cli.base import EXIT_OK, LIMIT_MAX, UsageError, int_range, open_workspace, out


def cmd_search(args: argparse.Namespace) -> int:
    from desktop.review.search import search_evidence
    from desktop.text.search import empty_text, hit_line, summary_text

    if not args.query.strip():
        raise UsageError("请输入要搜索的内容。")
    with open_workspace(args, readonly=True) as ws:
        result = search_evidence(ws.db, args.query, limit=args.limit if args.limit > 0 else None)
    if result.results:
        text = "\n".join([*(hit_line(h) for h in result.results), summary_text(result)])
    else:
        text = empty_text(result)
    out(args, result.as_json(), text)
    return EXIT_OK


def register(add) -> None:
    p = add("search", cmd_search, "搜索佐证材料：文件名、路径、文字；数字按数值查找（21099 可找到 21,099，"
            "658.83万 可找到 6,588,300.00 元）")
    p.add_argument("query", help="要搜索的文字或数字（多个词用空格分开，须同时出现）")
    p.add_argument("--limit", type=int_range(0, LIMIT_MAX, zero_means="不限"), default=50, help="最多列出多少个文件（0 = 不限，默认 50）")
