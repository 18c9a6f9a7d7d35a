"""Scoring profiles are data files: the default is 财预〔2020〕10号, others plug in, bad ones are refused in words."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from desktop.checks import profiles
from desktop.checks.profiles import DEFAULT_PROFILE, available_profiles, load_profile
from desktop.errors import DeskError
from desktop.text.messages import error_text


def test_default_profile_is_the_national_one():
    p = load_profile()
    assert p.id == DEFAULT_PROFILE and "财预〔2020〕10号" in p.name
    assert (p.total, p.execution_weight, p.execution_cap) == (Decimal(100), Decimal(10), Decimal(100))
    assert [p.grade_for(Decimal(v)) for v in ("100", "90", "89.99", "80", "60", "59")] == ["优", "优", "良", "良", "中", "差"]
    assert p.band("良好") == (Decimal(80), Decimal(90)) and p.band("甲") is None
    assert set(available_profiles()) >= {"caiyu-2020-10", "hubei-20-percent"}


def test_another_place_is_another_file(tmp_path, monkeypatch):
    folder = tmp_path / "check_profiles"
    folder.mkdir()
    base = json.loads((profiles.profiles_dir() / "caiyu-2020-10.json").read_text(encoding="utf-8"))
    local = {**base, "id": "local-85", "name": "某地", "grades": [{"grade": "优", "min": "85"}, {"grade": "良", "min": "75"},
                                                                     {"grade": "中", "min": "60"}, {"grade": "差", "min": "0"}]}
    (folder / "local.json").write_text(json.dumps(local, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(profiles, "profiles_dir", lambda: folder)
    p = load_profile("local-85")
    assert p.grade_for(Decimal(86)) == "优"
    from tests.checks.helpers import check_text

    assert check_text("自评得分 86 分，绩效等级为“优”。", rules=["grade_vs_score"], profile=p) == []
    (folder / "bad.json").write_text(json.dumps({**base, "format": 99}), encoding="utf-8")
    with pytest.raises(DeskError) as e:
        load_profile("local-85")
    assert e.value.code == "checks.bad_profile" and "bad.json" in error_text(e.value.code, e.value.params)
    (folder / "bad.json").unlink()
    with pytest.raises(DeskError) as e:
        load_profile("nowhere")
    assert "local-85" in error_text(e.value.code, e.value.params)
