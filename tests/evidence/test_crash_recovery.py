"""Quick version of the kill -9 harness (the long one: ``tests/perf/crash_kill9.py``, 500 files × 10 kills)."""

from __future__ import annotations

import random

from tests.evidence.crashharness import kill_cycle, make_files


def test_kill_9_during_ingest_then_restart_leaves_everything_whole(tmp_path):
    folder = tmp_path / "佐证材料"
    files = make_files(folder, 120, max_size=64 << 10)
    objects = len(set(files.values()))
    rng = random.Random(20241227)
    # Killed while copying (a third of the objects in the store), then once every object is in the store:
    # while the last batch commits and text extraction runs.
    for i, at in enumerate((objects // 3, objects)):
        cycle = kill_cycle(tmp_path / f"ws{i}", folder, files, rng, at_objects=at)
        assert not cycle.finished_before_kill, "the ingest ended before the kill: nothing was tested"
        assert cycle.problems == [], (cycle.killed_after, cycle.problems)
        if i == 0:  # the kill left copies that no committed row named: the restart had them to recover
            assert cycle.objects_at_kill > cycle.rows_at_kill, (cycle.objects_at_kill, cycle.rows_at_kill)
