"""A score table's header as the flattened-text reader found it: its kind, the columns' roles in order,
where its words stand, and what they say of units and detached values."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Header:
    kind: str  # indicator / budget
    roles: list[str]
    start: int  # offsets in the text
    end: int
    words: list[tuple[int, int]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # role -> the header word (folded)
    units: dict[str, str] = field(default_factory=dict)  # role -> a unit its header states
    #: a header whose words were printed among the cells (see :func:`find_scattered_headers`): the cells
    #: between its words, and rows whose values stand apart from their names
    gaps: list[tuple[int, int]] = field(default_factory=list)
    detached: bool = False
