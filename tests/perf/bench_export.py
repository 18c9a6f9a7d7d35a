"""Benchmark: a 佐证材料包 of 300 linked files (~100 MB), against ``zip -q -r -0`` of the same files.

Target: the export (``export_package``, no binder) takes at most 2 × ``zip -q -r -0`` of the same 300 files.
Both are measured in this run, page cache warm, interleaved: each round times zip and the export back to
back (which goes first alternates), and the ratio of that round is the export's time over zip's. After
one untimed round (the export's first call imports openpyxl and fpdf2: its time is printed apart), ``--runs``
rounds; printed: each round, the median and the worst ratio. Exit 0 when the worst is within the target.
Then the same export with a binder: its time, its page count, and the longest gap between two progress
reports (what a progress bar would show).

    .venv/bin/python tests/perf/bench_export.py [--files 300] [--kb 333] [--runs 7] [--no-binder] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

SAMPLE = REPO / "resources" / "samples" / "zhanjiang-shebao-2024-self-evaluation.txt"


def make_pdf(path: Path, n_bytes: int, seed: int) -> None:
    """A one-page PDF of about ``n_bytes``: the page carries an incompressible stream (a scan's weight)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    blob = pdf.make_stream(os.urandom(max(n_bytes - 1200, 0)))
    pdf.pages[0].obj["/PieceInfo"] = pikepdf.Dictionary(Bench=pikepdf.Dictionary(Private=blob))
    pdf.save(path, compress_streams=False)


def build(root: Path, files: int, kb: int) -> Path:
    from desktop.claims.service import import_report
    from desktop.evidence.service import register_file
    from desktop.review.links import link_evidence
    from desktop.review.status import claim_rows
    from desktop.workspace import Workspace

    src = root / "files"
    src.mkdir(parents=True)
    for i in range(files):
        make_pdf(src / f"佐证{i:03d}_银行回单.pdf", kb * 1024, i)
    ws_path = root / "W"
    with Workspace.create(ws_path, actor="bench") as ws:
        import_report(ws.db, path=SAMPLE)
        claims = [c["id"] for c in claim_rows(ws.db)]
        for i, f in enumerate(sorted(src.iterdir())):
            eid = register_file(ws, f).evidence_id
            link_evidence(ws.db, claim_id=claims[i % len(claims)], evidence_id=eid, auto_locator=False)
    return ws_path


def warm(folder: Path) -> int:
    total = 0
    for f in folder.rglob("*"):
        if f.is_file():
            total += len(f.read_bytes())
    return total


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--kb", type=int, default=333)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-binder", action="store_true")
    ap.add_argument("--keep", help="build (or reuse) the data here instead of a temp folder")
    args = ap.parse_args()
    if shutil.which("zip") is None:
        print("the zip program is needed for the baseline (./dev.sh perf installs it)")
        return 1
    os.environ.setdefault("EVIDENCE_DESK_HOME", tempfile.mkdtemp(prefix="bench-export-home-"))
    tmp = None
    if args.keep and (Path(args.keep) / "W").is_dir():
        root = Path(args.keep)
        ws_path = root / "W"
    else:
        if args.keep:
            root = Path(args.keep)
        else:
            tmp = tempfile.mkdtemp(prefix="bench-export-")
            root = Path(tmp)
        t = time.perf_counter()
        ws_path = build(root, args.files, args.kb)
        print(f"built: {args.files} files of {args.kb} KB, linked, in {time.perf_counter() - t:.1f} s")
    try:
        from desktop.exchange.export import export_package
        from desktop.workspace import Workspace

        out = root / "out"
        out.mkdir(exist_ok=True)
        size = warm(root / "files") + warm(ws_path / "store")

        def zip_baseline() -> None:
            target = out / "baseline.zip"
            target.unlink(missing_ok=True)
            subprocess.run(["zip", "-q", "-r", "-0", str(target), "files"], cwd=root, check=True)

        with Workspace.open(ws_path, actor="bench") as ws:
            def export() -> None:
                export_package(ws, out / "package.zip", record=False)

            first_zip, first_export = timed(zip_baseline), timed(export)  # untimed round: imports, caches
            print(f"data: {size / 2**20 / 2:.1f} MB in {args.files} files (page cache warm)")
            print(f"first round (the export imports openpyxl and fpdf2): zip {first_zip:.2f} s, "
                  f"export {first_export:.2f} s, ratio {first_export / first_zip:.2f}")
            ratios = []
            for i in range(args.runs):
                if i % 2:
                    export_s = timed(export)
                    zip_s = timed(zip_baseline)
                else:
                    zip_s = timed(zip_baseline)
                    export_s = timed(export)
                ratios.append(export_s / zip_s)
                print(f"round {i + 1}: zip -q -r -0 {zip_s:.3f} s, export_package {export_s:.3f} s, "
                      f"ratio {export_s / zip_s:.2f}", flush=True)
            median, worst = statistics.median(ratios), max(ratios)
            print(f"ratio export / zip over {args.runs} rounds: median {median:.2f}, worst {worst:.2f} "
                  f"(target <= 2.00); load average {os.getloadavg()[0]:.1f}")
            ok = worst <= 2.0
            if not args.no_binder:
                stamps: list[tuple[float, str]] = []

                def progress(stage: str, done: int, total: int) -> None:
                    stamps.append((time.perf_counter(), stage))

                t = time.perf_counter()
                result = export_package(ws, out / "package.zip", binder=out / "binder.pdf", progress=progress,
                                        record=False)
                binder_s = time.perf_counter() - t
                gaps = [(b[0] - a[0], b[1]) for a, b in zip(stamps, stamps[1:])]
                longest = max(gaps) if gaps else (0.0, "")
                print(f"export with binder: {binder_s:.2f} s, {result.binder_pages} pages, "
                      f"{(out / 'binder.pdf').stat().st_size / 2**20:.1f} MB; {len(stamps)} progress reports, "
                      f"longest gap {longest[0] * 1000:.0f} ms (before a '{longest[1]}' report)")
        return 0 if ok else 1
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
