"""Regenerate the screenshots in ``docs/screenshots/`` from the real app, at two screen sizes.

For each size (1366×768, the office laptop; 1440×900) starts Xvfb with a screen of that size, runs
``evidence-desk`` (the real entry point) on a fresh demo workspace in a temporary user-data folder, drives
it with xdotool, and grabs the screen with Pillow. The app sizes its windows itself (to the available
screen), so the pictures show what fits. Files: ``<scene>-1366.png`` and ``<scene>-1440.png``; the
1440×900 picture is also saved as ``<scene>.png`` (the name the README and the guide use).

    python docs/make_screenshots.py                    # every scene, both sizes
    python docs/make_screenshots.py --size 1366 help   # only the 帮助 scene, only at 1366×768

needs: xvfb xauth xdotool fonts-wqy-microhei. A scene is a function ``scene(env, size)`` in ``SCENES``
(it may return the app it started; it is stopped after the scene); add yours to the list.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from PIL import ImageGrab

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
DISPLAY = os.environ.get("SCREENSHOT_DISPLAY", ":97")
SIZES = {"1366": (1366, 768), "1440": (1440, 900)}
SIZE = SIZES["1440"]  # the screen size being made (main() sets it for each run)
PLAIN_NAMES_AT = (1440, 900)  # the size also saved under the plain name the README and the guide use


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


def window_box(wid: str, margin: int = 12) -> tuple[int, int, int, int]:
    """The window's rectangle on the screen (left, top, right, bottom), with a margin, within the screen."""
    geo = dict(line.split("=", 1) for line in xdo("getwindowgeometry", "--shell", wid).splitlines() if "=" in line)
    x, y, w, h = (int(geo[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    return max(x - margin, 0), max(y - margin, 0), min(x + w + margin, SIZE[0]), min(y + h + margin, SIZE[1])


def grab(name: str, crop: str | None = None) -> Path:
    """The whole screen as ``<name>-<width>.png``; at 1440×900 also as ``<name>.png`` for the guide, cut to
    the window ``crop`` if given (a dialog, without the screen around it)."""
    time.sleep(0.8)
    img = ImageGrab.grab(xdisplay=DISPLAY)
    path = OUT / f"{name}-{SIZE[0]}.png"
    img.save(path, optimize=True)
    print(f"saved {path.relative_to(ROOT)}")
    if tuple(SIZE) == PLAIN_NAMES_AT:
        (img.crop(window_box(crop)) if crop else img).save(OUT / f"{name}.png", optimize=True)
    return path


def start_app(env: dict[str, str], *args: str, title: str = "EvidenceDesk") -> tuple[subprocess.Popen, str]:
    """Run the app (its window placed and sized by the app itself), wait for it, give it the focus."""
    app = subprocess.Popen([sys.executable, "-m", "desktop", *args], cwd=ROOT, env=env)
    wid = wait_window(title)
    time.sleep(1.5)
    # No window manager under Xvfb: give the window the input focus directly, then type (XTEST; Qt
    # ignores synthetic events sent with --window).
    xdo("windowfocus", "--sync", wid)
    return app, wid


def demo_path(env: dict[str, str]) -> str:
    ws = Path(env["EVIDENCE_DESK_HOME"]) / "demo-workspace"
    if not ws.exists():  # a scene run on its own: the demo workspace the app would build
        subprocess.run([sys.executable, "-c", "from desktop.demo import build_demo; build_demo()"], cwd=ROOT,
                       env=env, check=True)
    return str(ws)


def stop(app: subprocess.Popen) -> None:
    app.terminate()
    try:
        app.wait(10)
    except subprocess.TimeoutExpired:
        app.kill()


def cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True).stdout


def main_scene(env: dict[str, str], size: tuple[int, int]) -> subprocess.Popen:
    """The main window, suggestions, the report text and the evidence library, as 编制."""
    app, wid = start_app(env, demo_path(env), "--actor", "李会计", "--role", "editor")
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
    xdo("type", "--delay", "200", "回单")  # slower: at 80 ms the X server may remap the key before 回 is read
    xdo("key", "Return")
    time.sleep(1.5)
    grab("evidence-library")
    return app


def review_scene(env: dict[str, str], size: tuple[int, int]) -> subprocess.Popen:
    """An inspector's session: a few claims reviewed, one file changed after sign-off, review mode and log."""
    import json

    ws = demo_path(env)
    claims = [c for c in json.loads(cli(env, "status", ws, "--json"))["claims"] if c["evidence_ids"]]
    states = ["verified", "verified", "questioned", "needs_more"]
    for c, state in zip(claims, states):
        cli(env, "review", ws, str(c["id"]), state, "--actor", "王审计", "--role", "reviewer", "--comment",
            {"verified": "与原件一致", "questioned": "报告为万元，汇总表为元，请注明换算", "needs_more": "请补充盖章件"}[state])
    # the first signed-off claim's file is replaced in the watched folder after the sign-off
    status = json.loads(cli(env, "status", ws, "--json"))
    first = next(e for e in status["evidence"] if claims[0]["id"] in e["claim_ids"])
    with open(first["paths"][0], "ab") as f:
        f.write(b"\n")
    cli(env, "ingest", ws, "--actor", "李会计", "--role", "editor")
    app, wid = start_app(env, ws, "--actor", "王审计", "--role", "reviewer")
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
    time.sleep(0.8)
    grab("audit-log")
    # 导出 CSV (the toolbar's third button): Qt's own save dialog, in Chinese; Enter keeps the name offered;
    # the status bar then says 已导出 … with the path, shortened to fit
    xdo("mousemove", "--window", log, "160", "12")
    xdo("click", "1")
    save = wait_window("导出审计日志")
    time.sleep(0.8)
    xdo("windowfocus", "--sync", save)
    xdo("key", "Return")
    time.sleep(1.5)
    grab("audit-export")
    return app


def first_steps_scene(env: dict[str, str], size: tuple[int, int]) -> subprocess.Popen:
    """A new workspace: who works in it (the identity dialog), 下一步 in the empty panes, 文件 → 监控文件夹…."""
    ws = Path(env["EVIDENCE_DESK_HOME"]) / "新工作区"
    cli(env, "init", str(ws), "--actor", "李会计")
    folder = Path(env["EVIDENCE_DESK_HOME"]) / "佐证材料（2024）"
    folder.mkdir(exist_ok=True)
    import json

    (Path(env["EVIDENCE_DESK_HOME"]) / "config.json").write_text(json.dumps({"actor": "李会计"}), encoding="utf-8")
    app = subprocess.Popen([sys.executable, "-m", "desktop", str(ws)], cwd=ROOT, env=env)
    dialog = wait_window("身份")
    time.sleep(1.0)
    xdo("windowfocus", "--sync", dialog)
    grab("identity-dialog", crop=dialog)
    xdo("key", "Return")  # 打开, as 编制 with the name offered
    wid = wait_window("EvidenceDesk")
    time.sleep(1.5)
    xdo("windowfocus", "--sync", wid)
    grab("first-steps")
    # 文件 → 监控文件夹… (the fifth entry: 新建, 打开, 导入报告, 监控文件夹)
    xdo("key", "alt+f")
    time.sleep(0.5)
    xdo("key", "Down", "Down", "Down", "Return")
    dlg = wait_window("监控文件夹")
    time.sleep(0.8)
    xdo("windowfocus", "--sync", dlg)
    xdo("key", "space")  # 选择文件夹… (it has the focus): Qt's own folder dialog, in Chinese
    chooser = wait_window("选择要监控")
    time.sleep(0.8)
    grab("folder-dialog", crop=chooser)
    xdo("windowfocus", "--sync", chooser)
    xdo("type", "--delay", "20", str(folder))
    xdo("key", "Return")
    time.sleep(1.5)
    grab("watch-folder", crop=dlg)
    xdo("windowfocus", "--sync", dlg)
    xdo("key", "Escape")
    return app


def help_scene(env: dict[str, str], size: tuple[int, int]) -> subprocess.Popen:
    """帮助: 使用指南 (F1), 键盘快捷键, 关于佐证台 (with the audit chain's head)."""
    app, wid = start_app(env, demo_path(env), "--actor", "李会计", "--role", "editor")
    xdo("key", "F1")
    guide = wait_window("使用指南")
    time.sleep(1.5)
    grab("user-guide")
    xdo("windowfocus", "--sync", guide)
    xdo("key", "Escape")
    time.sleep(0.5)
    xdo("windowfocus", "--sync", wid)
    for entry, title, name in ((1, "键盘快捷键", "shortcuts"), (2, "关于", "about")):
        xdo("key", "alt+h")
        time.sleep(0.5)
        xdo("key", *(["Down"] * entry), "Return")
        dlg = wait_window(title)
        time.sleep(0.8)
        grab(name, crop=dlg)
        xdo("windowfocus", "--sync", dlg)
        xdo("key", "Escape")
        time.sleep(0.5)
        xdo("windowfocus", "--sync", wid)
    return app


CRASH = """
import sys
from PySide6.QtCore import QTimer
from desktop import logs
from desktop.ui.app import make_app
from desktop.ui.dialogs import crash
from desktop.workspace import Workspace

logs.setup_logging("gui")
app = make_app()
crash.install()
from desktop.ui.main_window import MainWindow

window = MainWindow(Workspace.open(sys.argv[1], actor="李会计", role="editor"))
window.show()
QTimer.singleShot(1500, lambda: window.statusBar().showMessage(str(1 / 0)))  # a bug in a slot
app.exec()
"""


def crash_scene(env: dict[str, str], size: tuple[int, int]) -> subprocess.Popen:
    """An unexpected error in a slot: the crash dialog, over the real main window."""
    app = subprocess.Popen([sys.executable, "-c", CRASH, demo_path(env)], cwd=ROOT, env=env)
    dlg = wait_window("意外错误")
    time.sleep(0.8)
    grab("crash-dialog", crop=dlg)
    return app


def score_table_scene(env: dict[str, str], size: tuple[int, int]) -> subprocess.Popen:
    """The 自评表 tab and the 一致性检查 panel (issues 16 and 17): one finding dismissed with a reason
    beforehand; the panel opened with Ctrl+Shift+K, a score-table finding chosen with the keyboard (Enter
    goes to its row in the 自评表 tab), then the list with 显示已忽略 on."""
    import json

    ws = demo_path(env)
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


def finding_marks_scene(env: dict[str, str], size: tuple[int, int]) -> subprocess.Popen:
    """The claims list with its 一致性 column (issue 17): the claim 支出决算数, which three open findings
    name, chosen by type-ahead — its mark, its findings in the detail pane with their links, and the
    dashboard's 一致性 figure and 有一致性问题 filter on the left."""
    app, wid = start_app(env, demo_path(env), "--actor", "李会计", "--role", "editor")
    time.sleep(2.5)  # the findings are computed in the background
    xdo("windowfocus", "--sync", wid)
    xdo("type", "--delay", "150", "支出决算数")
    time.sleep(1.5)
    grab("finding-marks")
    return app


# --- issue 18, second part (helper guiuxb): search, suggestions, bulk accept, review mode, the library ------

UXB_SHOTS = ("bulk-accept", "suggestion-places", "review-claim", "search-number", "search-amount", "search-empty",
             "library-list", "library-grid", "library-risky", "library-encrypted")


def uxb_prepare(env: dict[str, str]) -> str:
    """The demo workspace, with a program and an encrypted PDF dropped in its folder (to show how they look)."""
    import pikepdf

    sys.path.insert(0, str(ROOT))
    from desktop.demo import WATCH_DIR_NAME

    root = demo_path(env)
    watch = Path(root) / WATCH_DIR_NAME
    (watch / "setup.exe").write_bytes(b"MZ" + b"\0" * 4096)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(watch / "加密的银行回单.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))
    return root


def uxb_search(text: str) -> None:
    xdo("key", "ctrl+f")
    xdo("key", "ctrl+a", "BackSpace")
    xdo("type", "--delay", "80", text)
    time.sleep(1.5)  # the search waits for a pause in typing, then runs in the background


def library_scene(env: dict[str, str], size: tuple[int, int]) -> subprocess.Popen:
    """What issue 18's second part changed, as an editor sees it: bulk accept, places, review mode, search,
    the library (run last: it drops a program and an encrypted PDF into the demo's folder)."""
    app, wid = start_app(env, uxb_prepare(env), "--actor", "李会计", "--role", "editor")
    time.sleep(0.5)
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


# --- the round trip (issues 14 and 15): export, binder, receive, 补充材料清单 on both sides ------------------
# Run alone: python docs/make_screenshots.py exchange
#
# The data is made with the Qt-free core (as the CLI would), then each scene is the real window under Xvfb,
# started by a small harness that triggers the menu action and fills the dialog as a person would, and grabs
# the screen when the scene is ready (a file dialog cannot be driven reliably without a window manager).

EXCHANGE_HARNESS = r'''
import json, os, sys, time
from pathlib import Path
from PySide6.QtCore import Qt, QTimer
from PIL import ImageGrab
from desktop.ui.app import make_app
from desktop.ui.main_window import MainWindow
from desktop.workspace import Workspace

scene, ws_path, actor, role, out = sys.argv[1:6]
extra = json.loads(sys.argv[6])
app = make_app()
w = MainWindow(Workspace.open(ws_path, actor=actor, role=role))
w.move(0, 0)
w.resize(*(int(v) for v in os.environ["SCREENSHOT_SIZE"].split("x")))
w.show()


def grab(name, widget=None):
    """The screen, or only ``widget`` (a dialog: without a window manager it has no frame of its own)."""
    for _ in range(5):
        app.processEvents()
        time.sleep(0.1)
    img = widget.grab() if widget is not None else ImageGrab.grab(xdisplay=os.environ["DISPLAY"])
    width = os.environ["SCREENSHOT_SIZE"].split("x")[0]
    for n in [f"{name}-{width}.png"] + ([f"{name}.png"] if width == "1440" else []):
        img.save(str(Path(out) / n))
        print(f"saved docs/screenshots/{n}", flush=True)


def finish():
    w.close()
    app.quit()


def export_scene():
    dlg = w.exchange.open_export()
    dlg.set_mode("both")
    dlg.set_paths(extra["zip"], extra["binder"])
    shot = {"progress": False}

    def on_progress(stage, done, total):
        if stage == "files" and not shot["progress"]:
            shot["progress"] = True
            dlg.grab().save(str(Path(out) / "export-progress.png"))  # now: the export goes on meanwhile
            print("saved docs/screenshots/export-progress.png", flush=True)

    dlg.progress_shown.connect(on_progress)
    dlg.export_finished.connect(lambda r: QTimer.singleShot(600, lambda: (grab("export-dialog", dlg), finish())))
    QTimer.singleShot(800, dlg.start)


def receive_scene():
    dlg = w.exchange.open_receive()
    dlg.checked.connect(lambda c: QTimer.singleShot(600, lambda: (grab("receive-failed", dlg), finish())))
    QTimer.singleShot(800, lambda: dlg.set_package(extra["package"], extra["dest"]))


def requests_scene():
    w.resizeDocks([w.requests_dock], [330], Qt.Orientation.Vertical)
    w.requests_dock.raise_()
    if extra.get("review_mode"):  # the inspector at a claim, asking for 补充材料 with a 需补充 review
        w.open_review_mode(int(extra["review_mode"]))
        page = w.review_mode
        page.comment.setPlainText(extra.get("comment", ""))
        page.requests_edit.setPlainText(extra.get("requests", ""))
        page.due_check.setChecked(True)
    QTimer.singleShot(800, lambda: (w.requests.select_request(extra["select"]), None))
    QTimer.singleShot(1800, lambda: (grab(extra["name"]), finish()))


{"export": export_scene, "receive": receive_scene, "requests": requests_scene}[scene]()
sys.exit(app.exec())
'''


def _exchange_harness(env: dict[str, str], scene: str, ws: Path, actor: str, role: str, **extra) -> None:
    import json

    env = {**env, "SCREENSHOT_SIZE": f"{SIZE[0]}x{SIZE[1]}"}
    subprocess.run([sys.executable, "-c", EXCHANGE_HARNESS, scene, str(ws), actor, role, str(OUT),
                    json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in extra.items()},
                               ensure_ascii=False)],
                   cwd=ROOT, env=env, check=True, timeout=180)


def render_binder_pages(binder: Path, name: str = "binder-pages", pages: tuple[int, ...] = ()) -> Path:
    """The binder's first pages (cover, 承诺书, 目录, the first evidence page) side by side, as PNG."""
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(binder))
    if pages == ():  # cover, 承诺书, the 目录's first page, and the page where the first file starts
        first = next((i for i in range(3, len(doc)) if "目录" not in doc[i].get_textpage().get_text_range()[:80]), 3)
        pages = (0, 1, 2, first)
    images = [doc[i].render(scale=1.0).to_pil() for i in pages if i < len(doc)]
    doc.close()
    gap = 24
    width = sum(im.width for im in images) + gap * (len(images) + 1)
    height = max(im.height for im in images) + 2 * gap
    sheet = Image.new("RGB", (width, height), (200, 200, 200))
    x = gap
    for im in images:
        sheet.paste(im, (x, gap))
        x += im.width + gap
    path = OUT / f"{name}.png"
    sheet.save(path)
    print(f"saved {path.relative_to(ROOT)}")
    return path


def exchange_scene(env: dict[str, str], size: tuple[int, int]) -> None:
    """Issues 14 and 15 in the window: the export dialog (in progress and done), the binder's first pages,
    a tampered package refused naming its member, and the 补充材料清单 at the inspector's and the group's."""
    import zipfile

    sys.path.insert(0, str(ROOT))
    from desktop.demo import build_demo
    from desktop.exchange.apply import apply_return
    from desktop.exchange.export import export_package
    from desktop.exchange.receive import receive_package, receive_supplement
    from desktop.exchange.reply import reply
    from desktop.exchange.supplement import export_supplement
    from desktop.review.links import link_evidence
    from desktop.review.requests import accept_request, answer_request
    from desktop.review.review import review_claim
    from desktop.review.status import claim_rows
    from desktop.workspace import Workspace

    tmp = Path(env["EVIDENCE_DESK_HOME"]) / "exchange"
    tmp.mkdir(parents=True, exist_ok=True)
    out = tmp / "交换"
    out.mkdir(exist_ok=True)
    group = build_demo(tmp / "单位工作区")

    # 1. the export dialog, in the group's window: package and binder
    _exchange_harness(env, "export", group, "李会计", "editor", zip=out / "佐证材料包.zip",
                      binder=out / "佐证材料汇编.pdf")
    render_binder_pages(out / "佐证材料汇编.pdf")

    # 2. a tampered copy of the package: the receive dialog names the member that fails
    pkg = out / "佐证材料包.zip"
    bad = out / "佐证材料包（改过）.zip"
    with zipfile.ZipFile(pkg) as zin, zipfile.ZipFile(bad, "w") as zout:
        member = next(n for n in zin.namelist() if n.startswith("佐证材料/") and n.endswith(".pdf"))
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                data = data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1:]
            zout.writestr(info, data)
    _exchange_harness(env, "receive", group, "王审计", "reviewer", package=bad, dest=tmp / "审核工作区（改过的包）")

    # 3. the round trip, made with the core: reviews and requests, the return, the group's answers, a supplement
    review_root = tmp / "审核工作区"
    receive_package(pkg, review_root, actor="王审计")
    with Workspace.open(review_root, actor="王审计", role="reviewer") as rws:
        claims = [c for c in claim_rows(rws.db) if c["evidence_ids"]][:5]
        asks = {0: ["请补充加盖公章的银行回单", "请补充追回明细表"], 1: ["请补充台账的原始导出文件"]}
        for i, c in enumerate(claims[:2]):
            review_claim(rws.db, claim_id=c["id"], state="needs_more", comment="佐证不完整", requests=asks[i],
                         due="2025-05-31")
        review_claim(rws.db, claim_id=claims[2]["id"], state="verified", comment="与原件一致")
        review_claim(rws.db, claim_id=claims[3]["id"], state="questioned", comment="报告为万元，汇总表为元，请注明换算")
        ret = out / "审核意见回复.zip"
        reply(rws, ret)
    with Workspace.open(group, actor="李会计", role="editor") as gws:
        apply_return(gws, ret)
        requested = {c["id"] for c in claims[:2]}
        spare = [c["evidence_ids"][0] for c in claim_rows(gws.db) if c["evidence_ids"] and c["id"] not in requested]
        from desktop.review.requests import list_requests

        reqs = list_requests(gws.db)
        for r, eid in zip(reqs[:2], spare):
            try:
                link_evidence(gws.db, claim_id=r["claim_id"], evidence_id=eid)
            except Exception:  # already linked there
                pass
            answer_request(gws.db, request_id=r["id"], evidence_ids=[eid], comment="已补充，见新关联的文件")
        group_select = reqs[0]["id"]
        export_supplement(gws, out / "补充材料包.zip", since=ret)
    with Workspace.open(review_root, actor="王审计", role="reviewer") as rws:
        receive_supplement(rws, out / "补充材料包.zip")
        accept_request(rws.db, request_id=reqs[0]["id"], comment="回单无误")

    # 4. the 补充材料清单 on both sides
    _exchange_harness(env, "requests", review_root, "王审计", "reviewer", select=reqs[1]["id"],
                      name="requests-reviewer")
    _exchange_harness(env, "requests", group, "李会计", "editor", select=group_select, name="requests-group")
    _exchange_harness(env, "requests", review_root, "王审计", "reviewer", select=reqs[2]["id"], name="review-requests",
                      review_mode=claims[4]["id"], comment="佐证只有汇总表",
                      requests="请补充逐月发放明细表\n请补充财政拨款到账凭证")



# --- the dialogs no keyboard path reaches under Xvfb: 校验完整性, 修改关联, 修改指标, 比较新旧版本 -------------------

DIALOGS_HARNESS = r"""
import os, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from desktop.ui.app import make_app
from desktop.ui.main_window import MainWindow
from desktop.workspace import Workspace

ws_path, out = sys.argv[1:3]
app = make_app()
w = MainWindow(Workspace.open(ws_path, actor="李会计", role="editor"))
w.show()
width = os.environ["SCREENSHOT_SIZE"].split("x")[0]


def settle(seconds=0.8):
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.05)


def grab(name, widget):
    settle()
    img = widget.grab()
    for n in [f"{name}-{width}.png"] + ([f"{name}.png"] if width == "1440" else []):
        img.save(str(Path(out) / n))
        print(f"saved docs/screenshots/{n}", flush=True)


def scenes():
    from desktop.review import status
    from desktop.review.versions import newest_version
    from desktop.ui.link_actions import LinkEditDialog
    from desktop.ui.panels.report_view import ClaimEditDialog

    settle(1.5)
    w._on_verify()  # 工具 → 校验完整性…
    settle(4.0)
    grab("integrity-dialog", w.integrity_dialog)
    w.integrity_dialog.close()
    linked = next(c for c in status.claim_rows(w.ws.db) if c["evidence_ids"])
    name = (w.library.model.evidence(linked["evidence_ids"][0]) or {}).get("name", "")
    dlg = LinkEditDialog(w, f"#{linked['id']} {linked['quote']}", name, "第 1 页", "与原件核对一致")
    dlg.show()
    grab("link-edit-dialog", dlg)
    dlg.close()
    dlg = ClaimEditDialog(linked, w)
    dlg.show()
    grab("claim-edit-dialog", dlg)
    dlg.close()
    def grab_modal(name):
        m = app.activeModalWidget()
        if m is not None:
            grab(name, m)
            m.reject()

    gap = next(c for c in status.claim_rows(w.ws.db) if not c["evidence_ids"] and c["needs_evidence"])
    w.claims.select_claim(gap["id"])
    settle(0.5)
    QTimer.singleShot(900, lambda: grab_modal("not-required-dialog"))
    w.claims.mark_selected_not_required()  # 编辑 → 无需佐证… (its question: why)
    from desktop.checks.queries import findings_json

    open_findings = [f for f in findings_json(w.ws.db) if not f["dismissed"]]
    if open_findings:
        w.open_checks()
        settle(2.5)  # the findings are computed on the jobs lane
        if w.checks.select_finding(open_findings[0]["key"]):
            QTimer.singleShot(900, lambda: grab_modal("dismiss-finding-dialog"))
            w.checks.dismiss_current()  # 忽略… (the reason is required)
    old = next((e for e in range(1, 200) if w.library.model.evidence(e) and newest_version(w.ws.db, e) != e), None)
    if old is not None:  # the review scene replaced a signed-off file: it has a new version
        w.library.show_versions(old)
        grab("versions-dialog", w.library.version_dialog)
    w.close()
    app.quit()


QTimer.singleShot(500, scenes)
sys.exit(app.exec())
"""


def dialogs_scene(env: dict[str, str], size: tuple[int, int]) -> None:
    """校验完整性, 修改关联, 修改指标 and 比较新旧版本, each dialog grabbed alone (run after the review scene, which
    leaves a file with a new version in the demo)."""
    env = {**env, "SCREENSHOT_SIZE": f"{SIZE[0]}x{SIZE[1]}"}
    subprocess.run([sys.executable, "-c", DIALOGS_HARNESS, demo_path(env), str(OUT)], cwd=ROOT, env=env, check=True,
                   timeout=180)

SCENES: list[Callable[[dict[str, str], tuple[int, int]], subprocess.Popen | None]] = [
    main_scene, review_scene, first_steps_scene, help_scene, crash_scene, score_table_scene, finding_marks_scene,
    exchange_scene, library_scene, dialogs_scene,
]


def run_size(size: tuple[int, int], names: list[str]) -> None:
    global SIZE
    SIZE = size
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"])
    home = tempfile.mkdtemp(prefix="ed-shots-")
    try:
        time.sleep(1.0)
        env = _env()
        env["EVIDENCE_DESK_HOME"] = home
        env["EVIDENCE_DESK_ACTOR"] = "李会计"
        user_home = Path(home) / "李会计"  # the file dialogs' home folder: a user's, not the build machine's
        user_home.mkdir()
        env["HOME"] = str(user_home)
        for scene in SCENES:
            if names and scene.__name__.removesuffix("_scene").replace("_", "-") not in names:
                continue
            print(f"{size[0]}×{size[1]}: {scene.__name__}")
            app = scene(env, size)
            if app is not None:
                stop(app)
    finally:
        xvfb.terminate()
        xvfb.wait(10)
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Regenerate docs/screenshots at 1366×768 and 1440×900.")
    parser.add_argument("--size", action="append", choices=sorted(SIZES), help="only this size (repeatable)")
    parser.add_argument("scenes", nargs="*", help="only these scenes: " + ", ".join(
        s.__name__.removesuffix("_scene").replace("_", "-") for s in SCENES))
    args = parser.parse_args(argv)
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install xvfb xdotool)")
    OUT.mkdir(parents=True, exist_ok=True)
    for tag in args.size or sorted(SIZES):
        run_size(SIZES[tag], args.scenes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
