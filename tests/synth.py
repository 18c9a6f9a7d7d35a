"""A large, consistent workspace built fast, for the audit viewer and ``verify`` at scale.

Everything goes through the real storage code — ``ContentStore.add_bytes`` for objects and
``db.audit.append_event`` for the chain, then ``write_head`` — in one transaction instead of one commit per
event, so 100,000 events take seconds rather than minutes. Rows and events agree with each other (every
``review.set`` event has its ``reviews`` row, every link event its ``links`` change), so the result passes
``verify`` untouched (each event carries the rows it wrote, as ``Tx.event`` records them, so the replay
check holds too).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import random
from pathlib import Path

from db import audit, replay
from desktop.workspace import Workspace

ACTORS = (("李会计", "editor"), ("张科长", "editor"), ("陈干事", "editor"), ("王审计", "reviewer"), ("赵处长", "reviewer"))
STATES = ("verified", "questioned", "needs_more", "not_required", "pending")


def _ts(base: _dt.datetime, i: int) -> str:
    return (base + _dt.timedelta(seconds=40 * i)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def populate(
    root: Path,
    *,
    events: int,
    claims: int = 2000,
    objects: int = 200,
    object_size: int = 2048,
    seed: int = 6,
) -> Path:
    """Create a workspace at ``root`` holding exactly ``events`` audit events; return ``root``."""
    rnd = random.Random(seed)
    ws = Workspace.create(root, actor="李会计")  # event 1: workspace.created
    conn = ws.db.conn
    base = _dt.datetime(2025, 1, 6, 1, 0, tzinfo=_dt.timezone.utc)
    n = 1

    def event(action, payload, actor=("李会计", "editor"), **ids):
        nonlocal n
        n += 1
        rows = replay.collect(conn)  # the rows this "mutation" wrote, as Tx.event records them
        if rows:
            payload = {**payload, replay.PAYLOAD_KEY: rows}
        return audit.append_event(conn, ts=_ts(base, n), actor=actor[0], role=actor[1], action=action,
                                  payload=payload, **ids)

    replay.install(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        report_id = conn.execute(
            "INSERT INTO reports (name, sha256, format, text, imported_at) VALUES (?, ?, 'txt', ?, ?)",
            ("合成报告.txt", "0" * 64, "合成报告正文", _ts(base, 2)),
        ).lastrowid
        conn.executemany(
            "INSERT INTO claims (report_id, quote, start, end, subject, value_raw, value, unit, kind,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '万元', 'amount', ?, ?)",
            [(report_id, f"{i}.5 万元", i * 10, i * 10 + 6, f"第{i}项资金", f"{i}.5", f"{i}.5", _ts(base, 2),
              _ts(base, 2)) for i in range(1, claims + 1)],
        )
        event("report.imported", {"name": "合成报告.txt", "claims": claims, "candidates": 0}, report_id=report_id)
        evidence_ids = []
        for i in range(objects):
            data = rnd.randbytes(object_size) + f"佐证{i}".encode()
            obj = ws.store.add_bytes(data)
            eid = conn.execute(
                "INSERT INTO evidence (sha256, size, name, ext, status, added_at) VALUES (?, ?, ?, 'pdf', 'ready', ?)",
                (obj.sha256, obj.size, f"佐证材料{i:04d}.pdf", _ts(base, n + 1)),
            ).lastrowid
            evidence_ids.append(eid)
            event("evidence.added", {"name": f"佐证材料{i:04d}.pdf", "sha256": obj.sha256, "size": obj.size},
                  evidence_id=eid)
        linked: set[tuple[int, int]] = set()
        while n < events:
            actor = rnd.choice(ACTORS)
            claim_id = rnd.randint(1, claims)
            if actor[1] == "reviewer":
                state = rnd.choice(STATES)
                comment = rnd.choice([None, "与原件一致", "金额单位不一致", "请补充盖章件"])
                ts = _ts(base, n + 1)
                fp = hashlib.sha256(f"{claim_id}-{n}".encode()).hexdigest()
                rid = conn.execute(
                    "INSERT INTO reviews (claim_id, state, comment, reviewer, fingerprint, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (claim_id, state, comment, actor[0], fp, ts),
                ).lastrowid
                event("review.set", {"review_id": rid, "state": state, "before": "pending", "comment": comment,
                                     "fingerprint": fp}, actor=actor, claim_id=claim_id)
            elif evidence_ids:
                eid = rnd.choice(evidence_ids)
                if (claim_id, eid) in linked:
                    conn.execute("DELETE FROM links WHERE claim_id = ? AND evidence_id = ?", (claim_id, eid))
                    linked.discard((claim_id, eid))
                    event("link.removed", {"locator": None}, actor=actor, claim_id=claim_id, evidence_id=eid)
                else:
                    locator = f"第 {rnd.randint(1, 9)} 页"
                    conn.execute(
                        "INSERT INTO links (claim_id, evidence_id, locator, origin, actor, created_at)"
                        " VALUES (?, ?, ?, 'manual', ?, ?)",
                        (claim_id, eid, locator, actor[0], _ts(base, n + 1)),
                    )
                    linked.add((claim_id, eid))
                    event("link.added", {"locator": locator, "note": None, "origin": "manual"}, actor=actor,
                          claim_id=claim_id, evidence_id=eid)
            else:
                event("settings.changed", {"key": f"k{n}", "before": None, "after": str(n)}, actor=actor)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    seq, hash_ = audit.chain_head(conn)
    audit.write_head(ws.db.head_path, seq, hash_)
    ws.close()
    return root
