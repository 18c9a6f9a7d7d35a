"""The audit anchor travels with what is handed in: the package manifest and the binder's 承诺书 carry the
head the package was made at, and ``verify --anchor`` checks the workspace against it afterwards."""

from __future__ import annotations

import json
import zipfile

from desktop.cli import main
from desktop.integrity import audit_anchor
from desktop.workspace import Workspace
from tests.exchange.test_binder import _page_texts


def test_manifest_and_pledge_carry_the_anchor_and_verify_checks_it(demo_ws, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EVIDENCE_DESK_SOFFICE", "off")
    with Workspace.open(demo_ws, readonly=True) as ws:
        before = audit_anchor(ws.db)
    assert main(["export", str(demo_ws), str(tmp_path / "p.zip"), "--binder", str(tmp_path / "b.pdf")]) == 0
    capsys.readouterr()
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["audit"] == {"seq": before["seq"], "head": before["hash"]}
    pledge = _page_texts(tmp_path / "b.pdf")[1].replace("\r\n", "").replace("\n", "")
    assert before["hash"] in pledge and f"第 {before['seq']} 条事件" in pledge
    # later (the export itself added an event): the anchor handed in still matches its event
    assert main(["verify", str(demo_ws), "--json", "--anchor", f"{before['seq']}:{before['hash']}"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["anchor"]["seq"] == before["seq"] + 1
    # a head that was never this workspace's is named
    assert main(["verify", str(demo_ws), "--json", "--anchor", f"{before['seq']}:{'0' * 16}"]) == 1
    assert [p["code"] for p in json.loads(capsys.readouterr().out)["problems"]] == ["anchor_mismatch"]
    assert main(["status", str(demo_ws), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["anchor"] == data["anchor"]
