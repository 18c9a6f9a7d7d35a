"""Applying returns at the group: a sign-off on a claim changed since the package lands 已变更，需复核;
an older return applied after a newer one takes nothing back; only the group (编制) applies."""

from __future__ import annotations

import pytest

from tests.inspection.cli import cli, make_group, snapshot, verify_ok


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVIDENCE_DESK_HOME", str(tmp_path_factory.mktemp("home")))
        root = tmp_path_factory.mktemp("apply")
        group, folder, claims = make_group(root, {"台账.txt": "核查疑点数据 21099 条", "回单.txt": "追回 658.83 万元",
                                                   "明细.txt": "明细 42 名"})
        cli("link", group, claims[0], 1)
        cli("link", group, claims[1], 2)
        cli("export", group, root / "pkg.zip")
        review = root / "审核"
        cli("receive", root / "pkg.zip", review, "--actor", "王审计")
        cli("review", review, claims[0], "verified", "--comment", "一致", "--actor", "王审计")
        cli("review", review, claims[1], "needs_more", "--request", "请补充回单原件", "--actor", "王审计")
        cli("reply", review, root / "ret1.zip", "--actor", "王审计")
        cli("request", review, 1, "accepted", ok=2)  # not answered yet: refused, nothing written
        cli("review", review, claims[1], "verified", "--comment", "已见原件", "--actor", "王审计")
        cli("reply", review, root / "ret2.zip", "--actor", "王审计")
        yield {"root": root, "group": group, "claims": claims}


@pytest.fixture
def group(trip, tmp_path):
    import shutil

    dest = tmp_path / "group"
    shutil.copytree(trip["group"], dest)
    return dest


def test_a_claim_changed_since_the_package_lands_as_stale(trip, group):
    c = trip["claims"]
    cli("link", group, c[0], 3, "--actor", "李会计")  # the group links another file after the package
    cli("apply", group, trip["root"] / "ret1.zip")
    claim = next(x for x in cli("status", group, "--json").json["claims"] if x["id"] == c[0])
    assert (claim["review"], claim["review_stale"]) == ("verified", True)
    assert "review_stale" in claim["flags"]
    untouched = next(x for x in cli("status", group, "--json").json["claims"] if x["id"] == c[1])
    assert untouched["review"] == "needs_more"
    verify_ok(group)


def test_an_older_return_after_a_newer_one_takes_nothing_back(trip, group):
    c = trip["claims"]
    cli("apply", group, trip["root"] / "ret2.zip")
    after_new = snapshot(group)
    res = cli("apply", group, trip["root"] / "ret1.zip", "--json").json
    assert res["counts"]["reviews"] == 0 and res["counts"]["requests"] == 0
    status = {x["id"]: x for x in cli("status", group, "--json").json["claims"]}
    assert status[c[1]]["review"] == "verified"  # the later 已核实 stays the latest
    assert snapshot(group)["tables"]["reviews"] == after_new["tables"]["reviews"]
    verify_ok(group)


def test_only_the_group_applies(trip, group):
    before = snapshot(group)
    assert "只有编制角色" in cli("apply", group, trip["root"] / "ret1.zip", "--role", "reviewer", ok=2).err
    assert snapshot(group) == before


def test_a_return_cannot_be_applied_to_the_review_workspace_itself(trip):
    review = trip["root"] / "审核"
    before = snapshot(review)
    cli("apply", review, trip["root"] / "ret1.zip", ok=2)
    assert snapshot(review) == before


def test_preview_counts_what_apply_will_do_and_writes_nothing(trip, group):
    """What the window shows before applying (``preview_return``): verified and checked as apply is, counted,
    nothing written; after the apply the same file says it was applied before."""
    from desktop.exchange.apply import preview_return
    from desktop.workspace import Workspace

    before = snapshot(group)
    with Workspace.open(group, actor="李会计", role="editor", ingest=False) as ws:
        p = preview_return(ws, trip["root"] / "ret1.zip")
    assert snapshot(group) == before
    assert (p["already"], p["inspector"], p["reviews"], p["new_reviews"]) == (False, "王审计", 2, 2)
    assert (p["requests"], p["newer_requests"], p["request_states"]) == (1, 1, {"open": 1})
    applied = cli("apply", group, trip["root"] / "ret1.zip", "--json").json
    assert applied["counts"]["reviews"] == p["new_reviews"] and applied["counts"]["requests"] == p["newer_requests"]
    with Workspace.open(group, actor="李会计", role="editor", ingest=False) as ws:
        again = preview_return(ws, trip["root"] / "ret1.zip")
        # the later return: its second review of the same claim is new, the request is not newer
        later = preview_return(ws, trip["root"] / "ret2.zip")
    assert again["already"] and again["new_reviews"] == 0 and again["newer_requests"] == 0
    assert (later["already"], later["new_reviews"], later["newer_requests"]) == (False, 1, 0)
    # a package is not a return: the same refusal apply gives, in words
    from desktop.errors import DeskError
    from desktop.text.messages import error_text

    with Workspace.open(group, actor="李会计", role="editor", ingest=False) as ws:
        with pytest.raises(DeskError) as exc:
            preview_return(ws, trip["root"] / "pkg.zip")
    assert "文件格式不对" in error_text(exc.value.code, exc.value.params)
