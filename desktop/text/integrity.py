"""Integrity problems (``verify``, the integrity dialog) in words."""

from __future__ import annotations

from typing import Any

from desktop.text.audit import action_name
from desktop.text.messages import PROBLEMS, REVIEW_FIELDS, REVIEW_STATES, VERBS, _Default, local_time


def problem_text(problem: dict[str, Any]) -> str:
    template = PROBLEMS.get(problem.get("code", ""), "{code}")
    p = dict(problem)
    for key in ("since", "until", "head_written"):
        p[key + "_l"] = local_time(p.get(key)) if p.get(key) else "不详"
    for key in ("state", "recorded_state"):
        if key in p:
            p[key + "_l"] = REVIEW_STATES.get(p[key], p[key])
    if "missing_to" in p:
        same = p["missing_to"] == p.get("seq")
        p["range_l"] = f"#{p.get('seq')}" if same else f"#{p.get('seq')} 至 #{p['missing_to']}"
    if "verb" in p:
        p["verb_l"] = VERBS.get(p["verb"], p["verb"])
    if "fields" in p:
        p["fields_l"] = "、".join(REVIEW_FIELDS.get(f, f) for f in p["fields"])
    if "action" in p:
        p["action_name"] = action_name(p["action"])
    return template.format_map(_Default(p))
