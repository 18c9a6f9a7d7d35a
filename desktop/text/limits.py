"""Words for the parsing ceilings (issue 20): which limit a file went over, by how much, and the setting
that raises it. Shared by the evidence library, the ingest lines of the CLI and the import refusals."""

from __future__ import annotations

#: the limit, as the sentence names it
LIMIT_NAMES = {
    "parse.memory_mb": "解析内存上限",
    "parse.timeout_s": "解析时间上限",
    "parse.zip_unpacked_mb": "解压后总大小上限",
    "parse.zip_ratio": "压缩比上限",
    "parse.zip_members": "压缩包成员数上限",
    "parse.image_megapixels": "图片像素上限",
    "parse.pdf_pages": "PDF 页数上限",
    "parse.xlsx_cells": "工作表范围上限",
    "parse.max_numbers": "单个文件数字个数上限",
    "parse.max_text_mb": "单个文件文字量上限",
    "report.max_text_mb": "报告文字量上限",
    "report.xlsx_cells": "报告工作表范围上限",
}

#: what a value of the limit is counted in
UNITS = {
    "parse.memory_mb": " MB", "parse.timeout_s": " 秒", "parse.zip_unpacked_mb": " MB", "parse.zip_ratio": " 倍",
    "parse.zip_members": " 个", "parse.image_megapixels": " 百万像素", "parse.pdf_pages": " 页",
    "parse.xlsx_cells": " 个单元格", "parse.max_numbers": " 个", "parse.max_text_mb": " 百万字",
    "report.max_text_mb": " MB", "report.xlsx_cells": " 个单元格",
}

#: the headline of each refusal
HEADLINES = {
    "zip_bomb": "疑似压缩炸弹",
    "memory_limit": "超出内存上限",
    "extract_timeout": "解析超时",
    "image_too_large": "图片尺寸过大（疑似解压炸弹）",
    "too_many_pages": "页数过多",
    "xlsx_too_large": "工作表范围过大（疑似恶意构造）",
    "too_many_numbers": "数字过多",
    "too_much_text": "文字过多",
    "report_too_large": "报告过大",
}


def _n(value) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return str(value)


def limit_detail(code: str, limit: str, value, allowed) -> str:
    """“疑似压缩炸弹：解压后总大小 612 MB，超过上限 300 MB（设置 parse.zip_unpacked_mb）”."""
    unit = UNITS.get(limit, "")
    name = LIMIT_NAMES.get(limit, limit)
    head = HEADLINES.get(code, "超出上限")
    if value is None or value == "?":
        return f"{head}：{name} {_n(allowed)}{unit}（设置 {limit}）"
    what = name.removesuffix("上限")
    return f"{head}：{what} {_n(value)}{unit}，超过上限 {_n(allowed)}{unit}（设置 {limit}）"


#: a file not parsed for a reason other than a limit (desktop.parsing.guarded.Refused)
REFUSALS = {
    "extract_crashed": "解析程序意外退出（文件可能已损坏或经过恶意构造）",
    "corrupt": "文件已损坏或格式不符，无法读取",
    "unreadable": "无法读取文件",
}


def refusal_detail(code: str, detail: str = "") -> str:
    """“文件已损坏或格式不符，无法读取（BadZipFile: File is not a zip file）”."""
    head = REFUSALS.get(code, HEADLINES.get(code, "无法读取文件"))
    detail = (detail or "").strip()
    if len(detail) > 200:
        detail = detail[:200] + "…"
    return f"{head}（{detail}）" if detail else head


__all__ = ["HEADLINES", "LIMIT_NAMES", "REFUSALS", "limit_detail", "refusal_detail"]


# -- the stages of a report import, as the CLI prints them (stderr) ------------------------------------

def import_stage_text(stage: str, details: dict) -> str:
    if stage == "read":
        size = details.get("size")
        mb = f"（{size / (1 << 20):.1f} MB）" if size else ""
        return f"读取报告《{details.get('name', '')}》{mb}…"
    if stage == "extract":
        return f"抽取指标（{details.get('chars', 0):,} 字）…"
    if stage == "write":
        return f"写入工作区（{details.get('claims', 0):,} 个数字）…"
    if stage == "done":
        return "导入完成"
    return stage
