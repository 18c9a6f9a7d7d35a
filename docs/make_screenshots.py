"""Regenerate the screenshots in ``docs/screenshots/`` from the real app.

Starts Xvfb, runs ``evidence-desk`` (the real entry point) on a fresh demo workspace in a temporary
user-data folder, drives it with xdotool, and grabs the screen with Pillow.

    python docs/make_screenshots.py            # needs: xvfb xauth xdotool fonts-wqy-microhei
    python docs/make_screenshots.py score-tables   # only the 自评表 and 一致性检查 scenes

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


# --- issue 18, second part (helper guiuxb): search, suggestions, bulk accept, review mode, the library ------

UXB_SHOTS = ("bulk-accept", "suggestion-places", "review-claim", "search-number", "search-amount", "search-empty",
             "library-list", "library-grid", "library-risky", "library-encrypted")


def uxb_prepare(home: str) -> None:
    """The demo workspace, with a program and an encrypted PDF dropped in its folder (to show how they look)."""
    import pikepdf

    from desktop.demo import DEMO_DIR_NAME, WATCH_DIR_NAME, build_demo

    root = build_demo(Path(home) / DEMO_DIR_NAME)
    watch = Path(root) / WATCH_DIR_NAME
    (watch / "setup.exe").write_bytes(b"MZ" + b"\0" * 4096)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(watch / "加密的银行回单.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))


def uxb_search(text: str) -> None:
    xdo("key", "ctrl+f")
    xdo("key", "ctrl+a", "BackSpace")
    xdo("type", "--delay", "80", text)
    time.sleep(1.5)  # the search waits for a pause in typing, then runs in the background


def uxb_scenes(env: dict[str, str]) -> subprocess.Popen:
    """What issue 18's second part changed, as an editor sees it."""
    app = subprocess.Popen([sys.executable, "-m", "desktop", "--actor", "李会计", "--role", "editor"], cwd=ROOT, env=env)
    wid = wait_window("EvidenceDesk")
    xdo("windowmove", wid, "0", "0")
    xdo("windowsize", wid, str(SIZE[0]), str(SIZE[1]))
    time.sleep(2.0)
    xdo("windowfocus", "--sync", wid)
    # the claims list has the focus at start: select every claim, 接受全部强建议 → the confirmation list
    xdo("key", "ctrl+a")
    time.sleep(0.5)
    xdo("key", "ctrl+shift+Return")
    dialog = wait_window("接受全部强建议")
    xdo("windowmove", dialog, "200", "150")
    grab("bulk-accept")
    xdo("key", "Escape")
    time.sleep(1.5)
    xdo("windowfocus", "--sync", wid)
    time.sleep(0.5)
    # 支付基金 314 亿元: the exact cell first, every place listed under its file
    xdo("key", "Home")
    time.sleep(0.5)
    xdo("type", "--delay", "250", "支付基金")
    time.sleep(2.0)
    grab("suggestion-places")
    # 审核模式 shows the claim's own sentence, scrolled into view
    xdo("key", "ctrl+r")
    time.sleep(0.8)
    for _ in range(14):
        xdo("key", "n")
    time.sleep(0.8)
    grab("review-claim")
    xdo("key", "ctrl+r")
    time.sleep(0.5)
    # number-aware search in the library
    uxb_search("21099")
    grab("search-number")
    uxb_search("658.83万")
    grab("search-amount")
    uxb_search("98765.43")
    grab("search-empty")
    # names, the grid, a preview large enough to read: the ledger
    uxb_search("台账")
    xdo("key", "Return")
    time.sleep(1.5)
    grab("library-list")
    xdo("key", "ctrl+shift+g")
    time.sleep(1.0)
    uxb_search("")
    grab("library-grid")
    xdo("key", "ctrl+shift+g")
    uxb_search("setup")
    xdo("key", "Return")
    time.sleep(1.0)
    grab("library-risky")
    uxb_search("加密")
    xdo("key", "Return")
    time.sleep(1.0)
    grab("library-encrypted")
    return app


def uxb_main() -> int:
    """``python docs/make_screenshots.py --uxb``: only the scenes above (on a display of their own: another
    run's Xvfb on the same display would take our keys)."""
    global DISPLAY
    if "SCREENSHOT_DISPLAY" not in os.environ:
        DISPLAY = next(f":{n}" for n in range(141, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                       and not Path(f"/tmp/.X{n}-lock").exists())
    OUT.mkdir(parents=True, exist_ok=True)
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"])
    home = tempfile.mkdtemp(prefix="ed-shots-")
    app = None
    try:
        time.sleep(1.0)
        env = _env()
        env["EVIDENCE_DESK_HOME"] = home
        env["EVIDENCE_DESK_ACTOR"] = "李会计"
        uxb_prepare(home)
        app = uxb_scenes(env)
    finally:
        if app is not None:
            stop(app)
        xvfb.terminate()
        shutil.rmtree(home, ignore_errors=True)
    return 0


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
    sys.exit(uxb_main() if "--uxb" in sys.argv else main())
