"""Regenerate the screenshots in ``docs/screenshots/`` from the real app.

Starts Xvfb, runs ``evidence-desk`` (the real entry point) on a fresh demo workspace in a temporary
user-data folder, drives it with xdotool, and grabs the screen with Pillow.

    python docs/make_screenshots.py            # needs: xvfb xauth xdotool fonts-wqy-microhei

Each scene is a list of xdotool steps; add scenes as the app grows. ``python docs/make_screenshots.py exchange``
makes only the round trip's scenes (export, binder, receive, 补充材料清单).
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
        xdo("key", "F6")
        # The evidence library with the bank slip previewed: search for it and take the first hit.
        xdo("key", "ctrl+f")
        xdo("type", "--delay", "80", "回单")
        xdo("key", "Return")
        time.sleep(1.5)
        grab("evidence-library")
        stop(app)
        app = review_scene(env)
        stop(app)
        app = None
        exchange_scenes(env)
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
w.resize(1440, 900)
w.show()


def grab(name, widget=None):
    """The screen, or only ``widget`` (a dialog: without a window manager it has no frame of its own)."""
    for _ in range(5):
        app.processEvents()
        time.sleep(0.1)
    if widget is not None:
        widget.grab().save(str(Path(out) / f"{name}.png"))
    else:
        ImageGrab.grab(xdisplay=os.environ["DISPLAY"]).save(Path(out) / f"{name}.png")
    print(f"saved docs/screenshots/{name}.png", flush=True)


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


def exchange_scenes(env: dict[str, str]) -> None:
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


def _only_exchange() -> int:
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is not installed (apt-get install xvfb)")
    OUT.mkdir(parents=True, exist_ok=True)
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"])
    home = tempfile.mkdtemp(prefix="ed-shots-")
    try:
        time.sleep(1.0)
        env = _env()
        env["EVIDENCE_DESK_HOME"] = home
        exchange_scenes(env)
    finally:
        xvfb.terminate()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(_only_exchange() if sys.argv[1:] == ["exchange"] else main())
