"""The bad-file corpus, through the real watcher in a child process: no crash, a clear message for each
bad file, every good file beside them registered, and the folder untouched.

"An unreadable file": the tests run as root here, and root reads a mode-000 file anyway. The child is
therefore started without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH in its capability bounding set
(``prctl(PR_CAPBSET_DROP)`` before exec), so the permission bits bind it like any user — the read
really fails with EACCES. Run as a normal user the same chmod works on its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from desktop.evidence import fspath
from desktop.text.messages import INGEST_ERRORS, ingest_error_text
from desktop.workspace import Workspace
from tests.evidence.corpus import DELETE_DURING_COPY, UNREADABLE, make_corpus
from tests.evidence.helpers import REPO, cli, drop_dac_override, snapshot


def test_bad_files_get_a_clear_message_and_good_files_are_ingested(tmp_path):
    folder = tmp_path / "佐证材料"
    expect = make_corpus(folder)
    Workspace.create(tmp_path / "ws", watch_dir=folder, actor="测试员").close()
    before = snapshot(folder)

    res = subprocess.run([sys.executable, "-m", "tests.evidence.corpus_child", str(tmp_path / "ws"), str(folder)],
                         capture_output=True, text=True, cwd=REPO, timeout=120, preexec_fn=drop_dac_override)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr, res.stderr
    out = json.loads(res.stdout)
    assert out["settled"]

    base = os.fsencode(folder)
    rel = lambda hexpath: os.path.relpath(bytes.fromhex(hexpath), base)  # noqa: E731
    evidence = {e["id"]: e for e in out["evidence"]}
    registered = {rel(p["raw"]): evidence[p["evidence_id"]] for p in out["paths"] if p["present"]}
    problems = {rel(p["raw"]): p for p in out["problems"]}
    ignored = {rel(p) for p in out["ignored"]}

    for name, outcome in expect.items():
        label = os.fsdecode(name)
        if outcome == "ok":
            e = registered[name]
            assert e["status"] == "ready" and e["text_status"] in ("done", "no_ocr"), (label, e)
        elif outcome == "ignored":
            assert name not in registered and name not in problems, label
            if not name.startswith(b"__MACOSX"):
                assert name in ignored, label
        elif outcome[0] == "error":  # registered (bytes kept), with an error on the evidence
            e = registered[name]
            assert (e["status"], e["error"]) == ("error", outcome[1]), (label, e)
        else:  # not registered, visible as a failed file
            assert name not in registered, label
            p = problems[name]
            assert (p["state"], p["error"]) == ("failed", outcome[1]), (label, p)
    # a message a person can act on, for every code the corpus produced
    for code in {o[1] for o in expect.values() if isinstance(o, tuple)}:
        assert code in INGEST_ERRORS and not ingest_error_text(code).startswith("出错了")
    # the unreadable file was retried (a transient error) before it was given up
    assert problems[UNREADABLE.encode()]["attempts"] == 3
    # readable names for names that are not UTF-8
    names = {e["name"] for e in out["evidence"]}
    assert "整改报告.txt" in names and "scan-\\xff\\xfe.pdf" in names
    assert fspath.display_name(os.fsdecode(b"scan-\xff\xfe.pdf")) == "scan-\\xff\\xfe.pdf"

    # the folder: untouched, except for the file the test itself deleted during the copy
    after = snapshot(folder)
    gone = DELETE_DURING_COPY.encode()
    assert gone not in after
    before.pop(gone)
    parent = os.path.dirname(gone) + b"/"
    assert after[parent] != before[parent]  # the deletion moved its own folder's mtime, and only that
    before.pop(parent), after.pop(parent)
    assert after == before  # including the watched folder's own mtime: nothing was created in it and removed
    # the store: every object re-hashes to its name, nothing half-written or orphaned
    assert json.loads(cli("verify", str(tmp_path / "ws"), "--json").stdout)["ok"]
    store = tmp_path / "ws" / "store"
    assert not list((store / "tmp").iterdir()) and not (store / "orphaned").exists()
