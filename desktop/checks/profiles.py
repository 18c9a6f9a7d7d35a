"""Scoring rules that differ by place, as data: one JSON file per profile in ``resources/check_profiles``.

A profile says what a score table adds up to (``total``), how the 预算执行率 row is scored
(``execution_rate``: its weight and the formula, ``proportional`` = 执行率 × 分值 capped at the weight),
the 一级指标 weights it expects (checked only when ``level1_weights_enforced``), and the grade bands
(自评等级 from the total). ``财预〔2020〕10号`` is the default; another place's rules are another file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from desktop.errors import DeskError
from desktop.resources import resources_dir

DEFAULT_PROFILE = "caiyu-2020-10"
PROFILE_FORMAT = 1


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    total: Decimal
    execution_weight: Decimal
    execution_formula: str
    execution_cap: Decimal
    grades: tuple[tuple[str, Decimal], ...]  # (grade, lower bound), highest first
    level1_weights: dict[str, Decimal] = field(default_factory=dict)
    level1_weights_enforced: bool = False
    grade_aliases: dict[str, str] = field(default_factory=dict)

    def grade_for(self, total: Decimal) -> str:
        for grade, low in self.grades:
            if total >= low:
                return grade
        return self.grades[-1][0]

    def band(self, grade: str) -> tuple[Decimal, Decimal | None] | None:
        """(lower bound, upper bound or None) of a grade as written (优, 优秀, 良好 …)."""
        g = self.grade_aliases.get(grade, grade)
        for i, (name, low) in enumerate(self.grades):
            if name == g:
                return low, (self.grades[i - 1][1] if i > 0 else None)
        return None


def profiles_dir() -> Path:
    return resources_dir() / "check_profiles"


def _parse(data: dict, source: str) -> Profile:
    try:
        if data.get("format") != PROFILE_FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        ex = data["execution_rate"]
        grades = sorted(((g["grade"], Decimal(str(g["min"]))) for g in data["grades"]), key=lambda g: -g[1])
        return Profile(
            id=str(data["id"]), name=str(data["name"]), total=Decimal(str(data["total"])),
            execution_weight=Decimal(str(ex["weight"])), execution_formula=str(ex.get("formula", "proportional")),
            execution_cap=Decimal(str(ex.get("cap_percent", "100"))), grades=tuple(grades),
            level1_weights={k: Decimal(str(v)) for k, v in (data.get("level1_weights") or {}).items()},
            level1_weights_enforced=bool(data.get("level1_weights_enforced")),
            grade_aliases=dict(data.get("grade_aliases") or {}),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise DeskError("checks.bad_profile", source=source, detail=str(exc)) from None


def available_profiles() -> dict[str, Profile]:
    out: dict[str, Profile] = {}
    folder = profiles_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DeskError("checks.bad_profile", source=path.name, detail=str(exc)) from None
        profile = _parse(data, path.name)
        out[profile.id] = profile
    return out


def load_profile(profile_id: str | None = None) -> Profile:
    profiles = available_profiles()
    pid = profile_id or DEFAULT_PROFILE
    if pid not in profiles:
        raise DeskError("checks.unknown_profile", profile=pid, available="、".join(sorted(profiles)) or "（无）")
    return profiles[pid]


__all__ = ["DEFAULT_PROFILE", "Profile", "available_profiles", "load_profile", "profiles_dir"]
