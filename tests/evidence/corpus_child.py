"""Child process of the bad-file test: run the real watcher on the corpus, print what became of it.

    python -m tests.evidence.corpus_child WORKSPACE FOLDER

Run by ``test_bad_files.py`` without CAP_DAC_OVERRIDE when the tests run as root, so that a file with
mode 000 really is unreadable. The engine's copy hook deletes ``corpus.DELETE_DURING_COPY`` after its
first 1 MiB has been copied. Prints one JSON document on stdout.
"""

from __future__ import annotations

import json
import os
import sys

from desktop.evidence.watcher import EvidenceWatcher
from desktop.workspace import Workspace
from tests.evidence.corpus import DELETE_DURING_COPY


def main(ws_path: str, folder: str) -> int:
    ws = Workspace.open(ws_path, actor="测试员")
    victim = os.path.join(folder, DELETE_DURING_COPY)
    ignored: list[str] = []

    def copy_hook(path: str, copied: int) -> None:
        if path == victim and os.path.exists(path):
            os.unlink(path)  # deleted by someone else while we copy it

    def on_event(e) -> None:
        if e.kind == "scanned":
            ignored.extend(e.data["ignored"])

    w = EvidenceWatcher(ws, folder=folder, listener=on_event, copy_hook=copy_hook, settle=0.2,
                        retry_delays=(0.05, 0.1), max_attempts=3, scan_interval=3600)
    w.start()
    try:
        settled = w.wait_for(
            lambda: w.engine.idle() and all(p["state"] == "failed" for p in w.engine.queue.problems()), 60)
    finally:
        w.stop()
    evidence = [dict(r) for r in ws.db.query("SELECT id, name, status, error, text_status FROM evidence")]
    paths = [{"evidence_id": r["evidence_id"], "present": r["present"],
              "raw": (bytes(r["raw_path"]) if r["raw_path"] is not None else r["path"].encode()).hex()}
             for r in ws.db.query("SELECT evidence_id, path, raw_path, present FROM evidence_paths")]
    problems = [{"raw": (bytes(p["raw_path"]) if p["raw_path"] is not None else p["path"].encode()).hex(),
                 "error": p["error"], "state": p["state"], "attempts": p["attempts"], "name": p["name"]}
                for p in w.engine.queue.problems()]
    ws.close()
    print(json.dumps({"settled": settled, "evidence": evidence, "paths": paths, "problems": problems,
                      "ignored": [os.fsencode(p).hex() for p in ignored]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
