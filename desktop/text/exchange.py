"""Words of the package, the binder and ``verify PACKAGE.zip`` (Chinese). No Qt: CLI and GUI share them.

Importing this module adds the exchange error texts to :data:`desktop.text.messages.ERRORS`, so
``error_text`` words a :class:`~desktop.errors.DeskError` raised by ``desktop.exchange`` like any other.
"""

from __future__ import annotations

from typing import Any

from desktop.text import messages
from desktop.text.messages import REVIEW_STATES

ERRORS = {
    "export.target_exists_as_folder": "目标是一个文件夹，不是文件：{path}",
    "export.target_folder_missing": "目标文件夹不存在：{path}",
    "export.bad_suffix": "文件扩展名应为 {suffix}：{path}",
    "export.same_target": "材料包和汇编不能是同一个文件：{path}",
    "export.inside_watch_dir": "不能导出到监控的佐证材料文件夹（{folder}）中，否则材料包会被当作佐证材料登记：{path}",
    "export.disk_full": "磁盘空间不足，导出已取消，没有留下不完整的文件：{path}",
    "export.cannot_write": "无法写入 {path}：{detail}（导出已取消，没有留下不完整的文件）",
    "export.cancelled": "导出已取消，没有留下不完整的文件。",
    "export.object_missing": "工作区存储中缺少佐证 E{evidence_id}《{name}》的副本，无法导出。请运行 verify 检查工作区。",
    "export.object_altered": "工作区存储中佐证 E{evidence_id}《{name}》的副本与登记时的哈希不一致，无法导出。"
                             "请运行 verify 检查工作区。",
    "export.workspace_tampered": "工作区的审计记录与链头文件不一致（{problem}），不能导出。请运行 verify 查看详情。",
    "export.nothing": "工作区中没有报告，没有可导出的内容。",
    "package.not_found": "找不到材料包：{path}",
    "package.not_zip": "不是有效的 zip 文件（可能已截断或损坏）：{path}",
    "package.no_manifest": "材料包中没有 manifest.json（文件可能已截断，或不是佐证材料包），无法校验：{path}",
    "package.bad_manifest": "材料包的 manifest.json 无法读取（{detail}）：{path}",
    "package.wrong_format": "该文件不是佐证材料包（格式：{format}）：{path}",
    "package.too_new": "材料包的格式版本为 {version}，本程序只支持到 {supported}，请升级佐证台：{path}",
}
messages.ERRORS.update(ERRORS)

# 目录.xlsx: header names exactly as the evaluation group's index uses them.
CATALOG_HEADER = ("序号", "部分", "章节", "指标", "数值与单位", "佐证编号", "佐证材料", "位置", "汇编页码",
                  "包内路径", "审核状态", "审核意见")
CATALOG_SHEET = "目录"
COMPLETENESS_SHEET = "完整性"
COMPLETENESS_HEADER = ("报告", "章节", "指标数", "已有佐证", "缺佐证", "数值未找到", "证据有新版本", "无需佐证", "完成率")
MISSING = "缺佐证"
NOT_REQUIRED = "无需佐证"
WHOLE_REPORT = "（全部）"


def not_required_text(reason: str | None) -> str:
    return f"{NOT_REQUIRED}：{reason}" if reason else NOT_REQUIRED


def review_text(state: str) -> str:
    return REVIEW_STATES.get(state, state)


# 完整性报告.pdf
COMPLETENESS_TITLE = "佐证材料完整性报告"
COMPLETENESS_LISTS = (
    ("no_evidence", "缺佐证"),
    ("value_not_found", "数值未找到（已关联的佐证中找不到报告中的数值）"),
    ("evidence_superseded", "证据有新版本（关联的是旧版本）"),
    ("questioned_or_needs_more", "存疑 / 需补充"),
)
FIGURES = (("claims", "指标"), ("with_evidence", "已有佐证"), ("without_evidence", "缺佐证"),
           ("value_not_found", "数值未找到"), ("evidence_superseded", "证据有新版本"))
NONE_IN_LIST = "（无）"
FINDINGS_TITLE = "一致性检查"
FINDINGS_NONE = "未发现不一致之处。"
FINDINGS_DISMISSED_TITLE = "已忽略的一致性问题（附忽略理由）"

# the binder
BINDER_TITLE = "佐证材料汇编"
PLEDGE_TITLE = "承诺书"
DEFAULT_PLEDGE = (
    "本单位承诺：本次绩效自评所提供的佐证材料均真实、准确、完整，与原件一致，不存在虚假记载、误导性陈述或重大遗漏。"
    "如有不实，本单位愿承担相应责任。"
)
TOC_TITLE = "目录"
PAGE_STAMP = "第 {page} 页 共 {total} 页"
NO_FILE_PAGE = "（见第 {page} 页）"


def cover_lines(unit: str | None, year: str | None, reports: list[str], date: str, package_hash: str
                ) -> list[tuple[str, str]]:
    return [("单位", unit or "（未填写）"), ("年度", f"{year} 年度" if year else "（未填写）"),
            ("报告", "；".join(reports) or "（无）"), ("日期", date), ("材料包哈希（SHA-256）", package_hash)]


def pledge_footer(manifest_hash: str, audit_head: str, audit_seq: int) -> list[tuple[str, str]]:
    return [("材料包清单（manifest.json）哈希", manifest_hash),
            (f"审计链头（第 {audit_seq} 条事件）", audit_head)]


PLEDGE_SIGN = ("承诺单位（盖章）：", "负责人（签字）：", "日期：")

# pages standing in for a file that cannot be shown as it is
NOTICES = {
    "encrypted": "此 PDF 已加密（需要密码），无法编入汇编。",
    "broken": "此文件已损坏或无法读取，无法编入汇编。",
    "too_large": "此文件过大（{size}），未编入汇编。",
    "unsupported": "此类文件（{ext}）无法在汇编中显示。",
    "image_too_large": "此图片尺寸过大（可能是“解压炸弹”），未编入汇编。",
    "legacy_office": "此文件为旧版 Office 格式（{ext}），本机未安装 LibreOffice，无法转换。",
    "rendered_text": "以下为从原文件提取的文字与表格，版式与原件不同。",
    # refused under the parsing ceilings (desktop.parsing.guarded): the detail names the limit and setting
    "refused": "此文件未能编入汇编：{detail}。",
}
ORIGINAL_IN_PACKAGE = "原件见材料包：{path}"


def notice_text(code: str, **params: Any) -> str:
    return NOTICES.get(code, code).format(**params)


# verify PACKAGE.zip
PROBLEMS = {
    "member_changed": "{path}：内容与清单不符（文件被修改）",
    "member_missing": "{path}：清单中列出，但材料包中没有（文件缺失）",
    "member_added": "{path}：材料包中有，但清单中没有（文件被添加）",
    "member_unsafe": "{path}：成员名不安全（绝对路径、“..”、反斜杠或 Windows 不允许的字符）",
    "member_symlink": "{path}：成员是符号链接",
    "member_encrypted": "{path}：成员已加密",
    "member_duplicate": "{path}：成员名重复",
    "member_not_utf8": "{path}：成员名未标记为 UTF-8（可能是 GBK 编码的文件名）",
    "db_unreadable": "package.db 无法打开（{detail}）",
    "db_mismatch": "package.db 与清单不一致：{field}（清单：{manifest}；package.db：{db}）",
    "db_member_unlisted": "{path}：package.db 中列出，但清单中没有",
    "db_member_missing": "{path}：清单中列出，但 package.db 中没有",
    "db_member_differs": "{path}：package.db 中记录的哈希或大小与清单不同",
    "db_chain_broken": "package.db 中的审计链在第 {seq} 条事件处断开（{detail}）",
    "db_head_mismatch": "package.db 中审计链的末尾（第 {seq} 条）与清单中的审计链头不符",
}


def problem_text(p: dict[str, Any]) -> str:
    template = PROBLEMS.get(p["code"], p["code"])
    try:
        return template.format(**{k: ("" if v is None else v) for k, v in p.items()})
    except (KeyError, IndexError):
        return template


STAGES = {
    "snapshot": "读取工作区",
    "binder_convert": "准备汇编：用 LibreOffice 转换 Office 文件",
    "binder_render": "准备汇编：整理文件",
    "files": "写入佐证材料",
    "catalog": "生成目录",
    "completeness": "生成完整性报告",
    "database": "写入 package.db",
    "manifest": "写入清单",
    "binder_front": "生成封面、承诺书、目录与页码",
    "binder_assemble": "合成汇编",
    "binder_save": "写入汇编",
    "binder_stamp": "加盖页码",
    "record": "记录审计事件",
}


NOT_RECORDED = {
    "locked": "注意：工作区正被另一个程序使用，已以只读方式导出；本次导出未记入审计日志。",
    "unwritable": "注意：工作区所在的文件夹不可写，已以只读方式导出；本次导出未记入审计日志。",
    "requested": "注意：工作区以只读方式打开，本次导出未记入审计日志。",
    "readonly": "注意：工作区以只读方式打开，本次导出未记入审计日志。",
}


def stage_text(stage: str) -> str:
    return STAGES.get(stage, stage)


def size_text(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} 字节"


# --- the window: 文件 → 导出佐证材料包… ----------------------------------------------------------------

EXPORT_DIALOG_TITLE = "导出佐证材料包"
EXPORT_MODES = (("package", "佐证材料包（.zip）"), ("both", "材料包和佐证材料汇编（.zip + .pdf）"),
                ("binder", "仅佐证材料汇编（.pdf）"))
EXPORT_SCOPE = (("linked", "只含已关联的佐证材料"), ("all", "全部佐证材料（未关联的放在“佐证材料/未关联/”）"))
EXPORT_SUPPLEMENT = "增补包：只导出自某个材料包（或审核意见回复）之后新增或变化的内容"
EXPORT_SUPPLEMENT_HINT = "选择之前导出的材料包或补充材料包，或审核方发回的审核意见回复（.zip）"
EXPORT_BINDER_ONLY_NOTE = "（汇编封面印有材料包哈希：材料包照常生成后丢弃；审计日志记下这份汇编和材料包哈希）"
EXPORT_CANCELLING = "正在取消…"
EXPORT_DONE = "导出完成"
EXPORT_NO_NAME = "请填写要导出的文件名。"
EXPORT_FAILED = "导出失败"
EXPORT_DEFAULT_NAME = "佐证材料包_{name}_{date}.zip"
BINDER_DEFAULT_NAME = "佐证材料汇编_{name}_{date}.pdf"
SUPPLEMENT_DEFAULT_NAME = "补充材料包_{name}_{date}.zip"


def export_summary(r: dict[str, Any], *, keep_package: bool = True) -> list[str]:
    """A finished export in lines (``ExportResult.as_json()``), for the CLI and the window alike."""
    c = r["counts"]
    lines = []
    if keep_package:
        lines += [f"已导出佐证材料包：{r['path']}",
                  f"  指标 {c['claims']} 个，关联 {c['links']} 条，佐证材料 {c['files']} 份"
                  + (f"（另有未关联 {c['unlinked_files']} 份）" if c.get("unlinked_files") else "")
                  + f"，缺佐证 {c['without_evidence']} 个",
                  f"  材料包哈希（SHA-256）：{r['package_sha256']}",
                  f"  清单哈希：{r['manifest_sha256']}"]
    if r.get("binder"):
        lines.append(f"已生成佐证材料汇编：{r['binder']}（共 {r['binder_pages']} 页）")
        if not keep_package:
            lines.append(f"  指标 {c['claims']} 个，佐证材料 {c['files']} 份；封面材料包哈希：{r['package_sha256']}")
        for n in r.get("binder_notices") or []:
            lines.append(f"  E{n['evidence_id']}《{n['name']}》：{notice_text(n['code'], **n.get('params', {}))}")
    if not r.get("recorded"):
        lines.append(NOT_RECORDED.get(r.get("not_recorded_reason") or "", NOT_RECORDED["readonly"]))
    return lines


def progress_text(stage: str, done: int, total: int) -> str:
    """``写入佐证材料 12.0 MB / 40.3 MB`` (bytes while files are copied), else ``生成目录 1/1``."""
    if stage == "files":
        return f"{stage_text(stage)}　{size_text(done)} / {size_text(total)}"
    return f"{stage_text(stage)}　{done}/{total}" if total > 1 else stage_text(stage)
