"""Regenerate the screenshots in ``docs/screenshots/`` from the real app.

Starts Xvfb, runs ``evidence-desk`` (the real entry point) on a fresh demo workspace in a temporary
user-data folder, drives it with xdotool, and grabs the screen with Pillow.

    python docs/make_screenshots.py            # needs: xvfb xauth xdotool fonts-wqy-microhei
    python docs/make_screenshots.py score-tables   # only the 自评表 and 一致性检查 scenes
    python docs/make_screenshots.py finding-marks  # only the claims list's 一致性 marks scene

Each scene is a list of xdotool steps; add scenes as the app grows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import ImageGrab

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
DISPLAY = os.environ.get("SCREENSHOT_DISPLAY", ":97")
SIZE = (1440, 900)


def xdo(*args: str) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, env=_env()).stdout.strip()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["DISPLAY"] = DISPLAY
    env.pop("QT_QPA_PLATFORM", None)
    return env


def wait_window(name: str, timeout: float = 30) -> str:
    end = time.time() + timeout
    while time.time() < end:
        wid = xdo("search", "--onlyvisible", "--name", name)
        if wid:
            return wid.splitlines()[0]
        time.sleep(0.3)
    raise SystemExit(f"window {name!r} did not appear")


def grab(name: str) -> Path:
    time.sleep(0.8)
    img = ImageGrab.grab(xdisplay=DISPLAY)
    path = OUT / f"{name}.png"
    img.save(path)
    print(f"saved {path.relative_to(ROOT)}")
    return path


def stop(app: subprocess.Popen) -> None:
    app.terminate()
    try:
        app.wait(10)
    except subprocess.TimeoutExpired:
        app.kill()


def cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True).stdout


def review_scene(env: dict[str, str]) -> subprocess.Popen:
    """An inspector's session: a few claims reviewed, one file changed after sign-off, review mode and log."""
    import json

    ws = str(Path(env["EVIDENCE_DESK_HOME"]) / "demo-workspace")
    claims = [c for c in json.loads(cli(env, "status", ws, "--json"))["claims"] if c["evidence_ids"]]
    states = ["verified", "verified", "questioned", "needs_more"]
    for c, state in zip(claims, states):
        cli(env, "review", ws, str(c["id"]), state, "--actor", "王审计", "--comment",
            {"verified": "与原件一致", "questioned": "报告为万元，汇总表为元，请注明换算", "needs_more": "请补充盖章件"}[state])
    # the first signed-off claim's file is replaced in the watched folder after the sign-off
    status = json.loads(cli(env, "status", ws, "--json"))
    first = next(e for e in status["evidence"] if claims[0]["id"] in e["claim_ids"])
    with open(first["paths"][0], "ab") as f:
        f.write(b"\n")
    cli(env, "ingest", ws, "--actor", "李会计", "--role", "editor")
    app = subprocess.Popen([sys.executable, "-m", "desktop", "--actor", "王审计", "--role", "reviewer"], cwd=ROOT,
                           env=env)
    wid = wait_window("EvidenceDesk")
    xdo("windowmove", wid, "0", "0")
    xdo("windowsize", wid, str(SIZE[0]), str(SIZE[1]))
    xdo("windowactivate", "--sync", wid)
    time.sleep(1.5)
    # Keys through XTEST to the focused window: with no window manager, focus must be set by hand, and
    # shortcuts with modifiers ignore the synthetic events of `key --window`.
    xdo("windowfocus", "--sync", wid)
    xdo("key", "ctrl+r")
    time.sleep(0.8)
    # review mode opens at the first claim still to do; walk to the signed-off claim whose file changed
    target = claims[0]["id"]
    order = [c["id"] for c in json.loads(cli(env, "status", ws, "--json"))["claims"]]
    for _ in range(order.index(target)):
        xdo("key", "n")
    time.sleep(0.8)
    grab("review-mode")
    xdo("key", "ctrl+shift+a")
    log = wait_window("审计日志")
    xdo("windowmove", log, "0", "0")
    xdo("windowsize", log, str(SIZE[0]), str(SIZE[1]))
    grab("audit-log")
    return app


def score_table_scene(env: dict[str, str]) -> subprocess.Popen:
    """The 自评表 tab and the 一致性检查 panel (issues 16 and 17): one finding dismissed with a reason
    beforehand; the panel opened with Ctrl+Shift+K, a score-table finding chosen with the keyboard (Enter
    goes to its row in the 自评表 tab), then the list with 显示已忽略 on."""
    import json

    ws = str(Path(env["EVIDENCE_DESK_HOME"]) / "demo-workspace")
    if not Path(ws).exists():  # run on its own: the demo workspace the app would build
        subprocess.run([sys.executable, "-c", "from desktop.demo import build_demo; build_demo()"], cwd=ROOT,
                       env=env, check=True)
    found = json.loads(subprocess.run([sys.executable, "-m", "desktop", "check", ws, "--json"], cwd=ROOT, env=env,
                                      capture_output=True, text=True).stdout)["findings"]
    drift = next((f for f in found if f["rule"] == "name_drift" and not f["dismissed"]), None)
    if drift is not None:
        cli(env, "dismiss-finding", ws, drift["key"], "--reason", "计财科即财务统计科（简称），同一科室",
            "--actor", "李会计", "--role", "editor")
    errors = [f for f in found if f["severity"] == "error"]
    table_error = next(i for i, f in enumerate(errors) if f["cells"] and f["rule"] == "table_score_over_weight")
    app = subprocess.Popen([sys.executable, "-m", "desktop", "--actor", "李会计", "--role", "editor"], cwd=ROOT,
                           env=env)
    wid = wait_window("EvidenceDesk")
    xdo("windowmove", wid, "0", "0")
    xdo("windowsize", wid, str(SIZE[0]), str(SIZE[1]))
    xdo("windowactivate", "--sync", wid)
    time.sleep(2.0)
    xdo("windowfocus", "--sync", wid)
    xdo("key", "ctrl+shift+k")  # the 一致性检查 panel, focus in its list
    time.sleep(1.5)  # the findings are computed in the background
    # the list starts at the group 错误 (its first row); Down to the score-table finding; Enter goes to its row
    xdo("key", *(["Down"] * (table_error + 1)))
    xdo("key", "Return")
    time.sleep(1.5)
    grab("checks-panel")
    # the 自评表 with a row chosen by hand: the bottom dock's 关联建议 tab works for the row's claim
    xdo("mousemove", "40", "857", "click", "1")  # the 关联建议 tab
    xdo("mousemove", "560", "265", "click", "1")  # the row 当期发放待遇人数
    time.sleep(1.5)
    grab("score-table")
    return app


def finding_marks_scene(env: dict[str, str]) -> subprocess.Popen:
    """The claims list with its 一致性 column (issue 17): the claim 支出决算数, which three open findings
    name, chosen by type-ahead — its mark, its findings in the detail pane with their links, and the
    dashboard's 一致性 figure and 有一致性问题 filter on the left."""
    app = subprocess.Popen([sys.executable, "-m", "desktop", "--actor", "李会计", "--role", "editor"], cwd=ROOT,
                           env=env)
    wid = wait_window("EvidenceDesk")
    xdo("windowmove", wid, "0", "0")
    xdo("windowsize", wid, str(SIZE[0]), str(SIZE[1]))
    xdo("windowactivate", "--sync", wid)
    time.sleep(2.5)  # the findings are computed in the background
    xdo("windowfocus", "--sync", wid)
    xdo("type", "--delay", "150", "支出决算数")
    time.sleep(1.5)
    grab("finding-marks")
    return app


def main() -> int:
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install xvfb xdotool)")
    OUT.mkdir(parents=True, exist_ok=True)
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"])
    home = tempfile.mkdtemp(prefix="ed-shots-")
    app = None
    try:
        time.sleep(1.0)
        env = _env()
        env["EVIDENCE_DESK_HOME"] = home
        env["EVIDENCE_DESK_ACTOR"] = "李会计"
        if sys.argv[1:] == ["score-tables"]:  # only the 自评表 / 一致性检查 scenes
            app = score_table_scene(env)
            return 0
        if sys.argv[1:] == ["finding-marks"]:  # only the 一致性 marks scene
            app = finding_marks_scene(env)
            return 0
        app = subprocess.Popen([sys.executable, "-m", "desktop", "--actor", "李会计", "--role", "editor"], cwd=ROOT, env=env)
        wid = wait_window("EvidenceDesk")
        xdo("windowmove", wid, "0", "0")
        xdo("windowsize", wid, str(SIZE[0]), str(SIZE[1]))
        time.sleep(1.5)
        # No window manager under Xvfb: give the window the input focus directly, then type (XTEST;
        # Qt ignores synthetic events sent with --window).
        xdo("windowfocus", "--sync", wid)
        # Walk to the first claims that still lack evidence (F3), so the detail pane shows a red gap.
        xdo("key", "F3", "F3", "F3")
        grab("main-window")
        # Suggestions: type-ahead (the claims list has the focus) to the claim 年初收入预算数 (2024 年…),
        # whose value the final accounts state.
        xdo("type", "--delay", "150", "年初收入")
        time.sleep(1.0)  # suggestions are computed in the background
        grab("suggestions")
        # The report text with its claims highlighted (F6 switches the left side to it).
        xdo("key", "F6")
        time.sleep(0.8)
        grab("report-view")
        xdo("key", "F6", "F6")  # F6 goes on to the 自评表, then back to the claims list
        # The evidence library with the bank slip previewed: search for it and take the first hit.
        xdo("key", "ctrl+f")
        xdo("type", "--delay", "80", "回单")
        xdo("key", "Return")
        time.sleep(1.5)
        grab("evidence-library")
        stop(app)
        app = review_scene(env)
        stop(app)
        app = score_table_scene(env)
        stop(app)
        app = finding_marks_scene(env)
    finally:
        if app is not None:
            app.terminate()
            try:
                app.wait(10)
            except subprocess.TimeoutExpired:
                app.kill()
        xvfb.terminate()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
