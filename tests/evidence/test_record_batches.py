"""Recording a batch in one transaction (bulk ingest) must write exactly what recording its files one by
one writes: ``record_objects`` reads the batch's rows ahead in one query each, and a batch that holds a
duplicate, a new version, a rename or a revert must not act on what an earlier file of the batch changed.
"""

from __future__ import annotations

import json
import os

from desktop.evidence.service import mark_path_absent, record_object, record_objects
from desktop.workspace import Workspace


def _state(ws) -> dict:
    q = ws.db.query
    events = []
    for r in q("SELECT action, evidence_id, payload FROM events WHERE action LIKE 'evidence.%' ORDER BY seq"):
        payload = json.loads(r["payload"])
        payload.pop("_replay", None)  # the rows as written, with their times: compared above, in the tables
        events.append((r["action"], r["evidence_id"], payload))
    return {
        "evidence": [tuple(r) for r in q("SELECT id, sha256, size, name, supersedes FROM evidence ORDER BY id")],
        "paths": [tuple(r) for r in q(
            "SELECT evidence_id, path, size, mtime_ns, present FROM evidence_paths ORDER BY evidence_id, path, id")],
        "events": events,
    }


def _run(root, folder, steps, batched: bool) -> tuple[dict, list[list[str]]]:
    """Apply ``steps`` (each: file changes, then the paths to record) and record them."""
    ws = Workspace.create(root, actor="测试员")
    outcomes = []
    try:
        for step in steps:
            changes, names, absent = step if len(step) == 3 else (*step, ())
            for name in absent:  # what the watcher records when a file is deleted
                (folder / name).unlink()
                mark_path_absent(ws, folder / name)
            for name, data in changes.items():
                p = folder / name
                if data is None:
                    p.unlink()
                else:
                    p.write_bytes(data)
                    os.utime(p, ns=(1_700_000_000_000_000_000 + len(data), 1_700_000_000_000_000_000 + len(data)))
            items = []
            for name in names:
                p = folder / name
                obj = ws.store.add_file(p)
                items.append((p, obj, obj.mtime_ns, None))
            if batched:
                regs = record_objects(ws, items)
            else:
                regs = [record_object(ws, path=p, obj=o, mtime_ns=m) for p, o, m, _ in items]
            outcomes.append([r.outcome for r in regs])
        return _state(ws), outcomes
    finally:
        ws.close()


def _local(state: dict, folder) -> dict:
    """``state`` with its folder's name replaced (the two runs use different folders)."""
    return json.loads(json.dumps(state).replace(str(folder), "<F>"))


def _steps():
    X, Y, Z, W, V = (bytes([n]) * (1000 + n) for n in range(5))
    return [
        # new files, one of them twice (same bytes at two paths in one batch)
        ({"a": X, "b": Y, "c": X, "d": Z}, ["a", "b", "c", "d"]),
        # all unchanged but one; a new version; a file moved (b gone, its bytes at e); a new file after them
        ({"b": None, "e": Y, "a": W, "f": V}, ["d", "a", "e", "f"]),
        # back to the first bytes (a revert), and a new file read after the revert in the same batch
        ({"a": X, "g": b"g" * 4097}, ["a", "g", "c"]),
        # c's bytes become a's old ones (W): known bytes as a new version; f gone and back at h
        ({"c": W, "f": None, "h": V}, ["c", "h"]),
        # d deleted (recorded absent), then new bytes at d after a new file: d's predecessor is looked up
        ({"n": b"n" * 3000, "d": b"d" * 3001}, ["n", "d"], ["d"]),
        # n deleted, then the same bytes back at n after a new file: restored
        ({"o": b"o" * 3002, "n": b"n" * 3000}, ["o", "n"], ["n"]),
    ]


def test_a_batch_records_what_one_by_one_records(tmp_path):
    for mode in ("one", "batch"):
        (tmp_path / mode).mkdir()
    one, one_outcomes = _run(tmp_path / "ws-one", tmp_path / "one", _steps(), batched=False)
    batch, batch_outcomes = _run(tmp_path / "ws-batch", tmp_path / "batch", _steps(), batched=True)

    assert _local(batch, tmp_path / "batch") == _local(one, tmp_path / "one")
    assert batch_outcomes == one_outcomes
    # and the scenario really covers what the read-ahead must not trust
    seen = {o for step in one_outcomes for o in step}
    assert {"added", "duplicate", "unchanged", "new_version", "renamed", "restored"} <= seen, seen
    assert one_outcomes[-2:] == [["added", "new_version"], ["added", "restored"]]


def test_the_same_path_twice_in_one_batch(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    ws = Workspace.create(tmp_path / "ws", actor="测试员")
    try:
        p = folder / "台账.xlsx"
        p.write_bytes(b"v1" * 3000)
        first = ws.store.add_file(p)
        p.write_bytes(b"v2" * 3000)
        second = ws.store.add_file(p)
        regs = record_objects(ws, [(p, first, first.mtime_ns, None), (p, second, second.mtime_ns, None)])
        assert [r.outcome for r in regs] == ["added", "new_version"]
        assert regs[1].supersedes == regs[0].evidence_id
        assert ws.db.scalar("SELECT count(*) FROM evidence_paths WHERE present = 1") == 1
    finally:
        ws.close()


def test_a_revert_then_bytes_it_re_versioned_in_the_same_batch(tmp_path):
    """The revert rewrites another evidence row's version link; a later file of the batch with those
    bytes must see the link as it is now, not as it was read ahead."""
    X, W, V = b"x" * 5000, b"w" * 5001, b"v" * 5002
    steps = [({"a": X}, ["a"]), ({"a": W}, ["a"]), ({"m": V}, ["m"]),
             ({"a": X, "m": W}, ["a", "m"])]
    for mode in ("one", "batch"):
        (tmp_path / mode).mkdir()
    one, one_outcomes = _run(tmp_path / "ws-one", tmp_path / "one", steps, batched=False)
    batch, batch_outcomes = _run(tmp_path / "ws-batch", tmp_path / "batch", steps, batched=True)
    assert batch_outcomes == one_outcomes == [["added"], ["new_version"], ["added"], ["new_version", "new_version"]]
    assert _local(batch, tmp_path / "batch") == _local(one, tmp_path / "one")


def test_the_batch_hook_names_written_files_by_their_place_in_the_batch(tmp_path):
    """The ingest queue finishes its tasks by these indices: files skipped as unchanged must not shift them."""
    folder = tmp_path / "f"
    folder.mkdir()
    ws = Workspace.create(tmp_path / "ws", actor="测试员")
    try:
        paths = [folder / n for n in ("旧.pdf", "新1.pdf", "旧2.pdf", "新2.pdf")]
        for i, p in enumerate(paths):
            p.write_bytes(bytes([i]) * 2000)
        objs = [ws.store.add_file(p) for p in paths]
        record_objects(ws, [(paths[i], objs[i], objs[i].mtime_ns, None) for i in (0, 2)])
        seen = []
        regs = record_objects(ws, [(p, o, o.mtime_ns, None) for p, o in zip(paths, objs)],
                              batch_tx=lambda tx, written: seen.extend((i, r.path, r.outcome) for i, r in written))
        assert [r.outcome for r in regs] == ["unchanged", "added", "unchanged", "added"]
        assert seen == [(1, str(paths[1]), "added"), (3, str(paths[3]), "added")]
    finally:
        ws.close()
