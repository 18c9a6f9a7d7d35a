"""What a write changed, read off the audit events it wrote.

Every mutation writes exactly one audit event (``tx.event(action, payload, report_id=…, claim_id=…,
evidence_id=…)``), so the events of a transaction already say what changed. :class:`Changes` is that
summary, built by :meth:`db.database.Database.write` from the transaction's events: nobody fills it by
hand, so a new service (a new event such as ``request.created`` or ``package.exported``) produces a
correct one without knowing this module.

* ``actions`` — the event actions (``link.added``, ``evidence.new_version`` …);
* ``areas`` — their prefixes (``link``, ``evidence``, ``request`` …): what kind of thing changed;
* ``ids(area)`` — the ids of that kind the events name: the event's own ``report_id`` / ``claim_id`` /
  ``evidence_id`` columns, and any top-level payload key ``<area>_id`` (an int) or ``<area>_ids`` (a list
  of ints), e.g. ``{"request_id": 3}`` or ``{"evidence_ids": [4, 5]}``. A payload's ``supersedes`` (an
  int) names the earlier version of the event's own kind (``evidence.new_version`` → the old evidence,
  ``report.revised`` → the old report): its rows change too.

Changes combine with ``|`` (a UI coalesces the changes of many writes into one refresh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

COLUMN_AREAS = (("report_id", "report"), ("claim_id", "claim"), ("evidence_id", "evidence"))


@dataclass(frozen=True)
class Changes:
    actions: frozenset[str] = frozenset()
    _ids: Mapping[str, frozenset[int]] = field(default_factory=dict)
    events: int = 0

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def from_events(cls, events: Iterable[Mapping[str, Any]]) -> "Changes":
        """From event records: ``action``, the id columns and the payload (a dict)."""
        actions: set[str] = set()
        ids: dict[str, set[int]] = {}
        n = 0
        for ev in events:
            n += 1
            action = str(ev["action"])
            actions.add(action)
            area = action.partition(".")[0]
            for column, kind in COLUMN_AREAS:
                value = ev.get(column)
                if isinstance(value, int):
                    ids.setdefault(kind, set()).add(value)
            payload = ev.get("payload")
            if isinstance(payload, Mapping):
                _payload_ids(area, payload, ids)
        return cls(frozenset(actions), {k: frozenset(v) for k, v in ids.items()}, n)

    @classmethod
    def of(cls, *actions: str, **ids: Iterable[int]) -> "Changes":
        """A hand-made value (tests, and changes no audit event records, such as a new thumbnail):
        ``Changes.of("evidence.thumbnail", evidence=[4])``."""
        return cls(frozenset(actions), {k: frozenset(int(i) for i in v) for k, v in ids.items() if v},
                   len(actions))

    def __or__(self, other: "Changes") -> "Changes":
        if not other:
            return self
        if not self:
            return other
        ids = {k: self._ids.get(k, frozenset()) | other._ids.get(k, frozenset())
               for k in set(self._ids) | set(other._ids)}
        return Changes(self.actions | other.actions, ids, self.events + other.events)

    # -- reading ---------------------------------------------------------------------------------

    def __bool__(self) -> bool:
        return bool(self.actions)

    @property
    def areas(self) -> frozenset[str]:
        return frozenset(a.partition(".")[0] for a in self.actions)

    def touches(self, *areas_or_actions: str) -> bool:
        """Whether any event is of one of these areas (``"link"``) or is one of these actions
        (``"claim.edited"``)."""
        areas = self.areas
        return any(x in areas or x in self.actions for x in areas_or_actions)

    def only(self, *areas: str) -> bool:
        """Whether every event is of these areas (and there is at least one)."""
        return bool(self.actions) and self.areas <= set(areas)

    def ids(self, area: str) -> frozenset[int]:
        return self._ids.get(area, frozenset())

    @property
    def report_ids(self) -> frozenset[int]:
        return self.ids("report")

    @property
    def claim_ids(self) -> frozenset[int]:
        return self.ids("claim")

    @property
    def evidence_ids(self) -> frozenset[int]:
        return self.ids("evidence")

    def as_json(self) -> dict[str, Any]:
        return {"actions": sorted(self.actions), "ids": {k: sorted(v) for k, v in sorted(self._ids.items())},
                "events": self.events}

    def __repr__(self) -> str:
        ids = ", ".join(f"{k}={sorted(v)[:8]}{'…' if len(v) > 8 else ''}" for k, v in sorted(self._ids.items()))
        return f"Changes({sorted(self.actions)}{', ' + ids if ids else ''})"


NO_CHANGES = Changes()


def _payload_ids(area: str, payload: Mapping[str, Any], ids: dict[str, set[int]]) -> None:
    for key, value in payload.items():
        if key.endswith("_id") and _is_id(value):
            ids.setdefault(key[:-3], set()).add(value)
        elif key.endswith("_ids") and isinstance(value, (list, tuple)):
            found = [v for v in value if _is_id(v)]
            if found:
                ids.setdefault(key[:-4], set()).update(found)
        elif key == "supersedes" and _is_id(value):
            ids.setdefault(area, set()).add(value)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
