"""Diagnostics: what is wrong, where, and what to write instead.

Every stage reports problems as `Diagnostic` values instead of raising, so one run shows
all errors of all files. Messages live in one catalogue keyed by a stable code, in Chinese
(the secretariats' language, the default) and English.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Iterable, Literal, Mapping

Lang = Literal["zh", "en"]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


# code -> (Chinese template, English template). Templates use str.format with the
# diagnostic's params; keep the placeholders identical in both languages.
MESSAGES: Mapping[str, tuple[str, str]] = {
    "yaml.syntax": ("YAML 语法错误：{problem}。请检查缩进（用空格，不要用 Tab）、冒号后的空格和引号是否成对。",
                    "YAML syntax error: {problem}. Check indentation (spaces, not tabs), the space after colons and matching quotes."),
    "yaml.duplicate_key": ("重复的字段「{key}」（第一次出现在第 {first_line} 行）。每个字段只能写一次，请删除或合并其中一个。",
                           "Duplicate key '{key}' (first at line {first_line}). Each key may appear once; remove or merge one."),
    "yaml.too_many_nodes": ("文件展开后过大（超过 {limit} 个节点），可能含有 YAML 别名炸弹。请不要使用 & 和 * 别名。",
                            "The file expands to more than {limit} nodes (a YAML alias bomb?). Do not use & and * aliases."),
    "yaml.too_deep": ("嵌套层级过深（超过 {limit} 层）。请简化结构。", "Nesting deeper than {limit} levels. Simplify the structure."),
    "yaml.not_mapping": ("文件顶层必须是「字段: 值」的映射，而不是{found}。", "The top level must be a mapping of 'field: value', not {found}."),
    "yaml.bad_value": ("「{value}」不能读作 {tag}：数字过长，或显式标签（如 !!{tag}）与值不符。请改为正确的值，或加引号作为文字。",
                       "'{value}' cannot be read as {tag}: the number is too long, or an explicit tag (!!{tag}) does not fit. Fix the value or quote it as text."),
    "yaml.non_string_key": ("字段名必须是文字，「{key}」不是。", "Keys must be text; '{key}' is not."),
    "file.encoding": ("文件不是 UTF-8 编码（第 {bad_line} 行附近有无法识别的字节）。请用 UTF-8 另存为。",
                      "The file is not UTF-8 (undecodable bytes near line {bad_line}). Save it as UTF-8."),
    "file.too_large": ("文件过大（{size} 字节，上限 {limit} 字节）。请拆分或压缩附件。",
                       "File too large ({size} bytes, limit {limit}). Split it or shrink attachments."),
    "file.symlink": ("不允许使用指向 content/ 之外的符号链接：{target}。请复制文件本身。",
                     "Symbolic links pointing outside content/ are not allowed: {target}. Copy the file itself."),
    "file.bad_name": ("文件名或目录名「{name}」不可用：{why}。只能使用小写字母、数字、汉字、连字符和下划线。",
                      "File or folder name '{name}' is not allowed: {why}. Use lower-case letters, digits, Han characters, '-' and '_'."),
    "file.unknown_folder": ("未知的目录「{folder}」。可用的目录：{allowed}。",
                            "Unknown folder '{folder}'. Allowed folders: {allowed}."),
    "file.unexpected": ("不应出现在这里的文件「{name}」。{hint}", "Unexpected file '{name}'. {hint}"),
    "frontmatter.missing": ("Markdown 文件必须以 YAML 前置信息开头：第一行写 ---，然后是字段，再以 --- 结束。",
                            "A Markdown file must start with YAML front matter: a line '---', the fields, then '---'."),
    "frontmatter.unclosed": ("前置信息没有结束：请在字段之后加一行 ---。", "Front matter is not closed: add a line '---' after the fields."),
    "schema.missing_field": ("缺少必填字段「{field}」（{title}）。请添加，例如：{example}",
                             "Missing required field '{field}' ({title}). Add it, e.g.: {example}"),
    "schema.unknown_field": ("未知字段「{field}」。可用字段：{allowed}。", "Unknown field '{field}'. Allowed fields: {allowed}."),
    "schema.invalid_value": ("字段「{field}」的值不正确：{problem}。", "Invalid value for '{field}': {problem}."),
    "schema.bad_date": ("「{field}」不是有效日期：{value}。请按 YYYY-MM-DD 填写真实存在的日期，例如 2025-04-25。",
                        "'{field}' is not a valid date: {value}. Write a real date as YYYY-MM-DD, e.g. 2025-04-25."),
    "schema.bad_enum": ("「{field}」的值「{value}」不在允许范围内。可选：{allowed}。",
                        "'{field}' = '{value}' is not allowed. Choose one of: {allowed}."),
    "schema.kind_mismatch": ("kind 写的是「{declared}」，但文件在 {folder}/ 目录下，应为「{expected}」。请删除 kind 或改为「{expected}」。",
                             "kind says '{declared}' but the file is in {folder}/, which holds '{expected}'. Remove kind or write '{expected}'."),
    "schema.bad_uscc": ("统一社会信用代码「{value}」无效：{why}。请核对营业执照或登记证书上的 18 位代码。",
                        "Unified social credit code '{value}' is invalid: {why}. Copy the 18 characters from the licence or certificate."),
    "schema.bad_filename": ("文件名「{name}」与内容不符：{why}。", "File name '{name}' does not match its content: {why}."),
    "ref.duplicate_id": ("编号「{id}」在本协会的 {kind} 中重复（另见 {other}）。请改用不同的文件名。",
                         "Id '{id}' is used twice in this association's {kind} (also {other}). Rename one file."),
    "ref.unknown_document": ("引用的文档「{ref}」不存在。本协会现有的文档：{allowed}。",
                             "The referenced document '{ref}' does not exist. This association has: {allowed}."),
    "ref.unknown_member": ("统一社会信用代码 {uscc} 不属于本协会的任何会员单位。请先在 association.yaml 的 members 中登记，或核对代码。",
                           "USCC {uscc} is not a member of this association. Add it to members in association.yaml, or check the code."),
    "ref.missing_profile": ("协会目录「{slug}」缺少 association.yaml（协会概况）。", "Association folder '{slug}' has no association.yaml (profile)."),
    "date.decided_after_published": ("决定日期 {decided} 晚于公示日期 {published}。公示不能早于决定。",
                                     "Decision date {decided} is after the publication date {published}. A disclosure cannot precede the decision."),
    "date.in_future": ("「{field}」的日期 {value} 晚于构建日期 {as_of}。", "'{field}' {value} is after the build date {as_of}."),
    "privacy.resident_id": ("此处含有公民身份号码（{masked}），属于个人隐私，不得公开。请删除或改为「{suggestion}」。",
                            "A resident ID number ({masked}) is personal data and must not be published. Remove it or write '{suggestion}'."),
    "privacy.mobile": ("此处含有个人手机号码（{masked}），属于个人隐私，不得公开。请改用单位办公电话。",
                       "A personal mobile number ({masked}) must not be published. Use an office telephone number instead."),
    "privacy.unmasked_name": ("从业人员姓名「{name}」在公开页面上按规定脱敏显示为「{masked}」，但此处写出了全名。请改写为「{masked}」。",
                              "The practitioner '{name}' is shown masked as '{masked}', but the full name is written here. Write '{masked}' instead."),
    "markdown.unsafe_link": ("链接「{url}」不允许：只能使用 http、https、mailto 或站内相对地址。",
                             "Link '{url}' is not allowed: only http, https, mailto and relative links."),
    "markdown.raw_html": ("正文中的 HTML 代码不会显示为网页元素，将按文字原样显示。请改用 Markdown 写法。",
                          "Raw HTML in the body is shown as text, not rendered. Use Markdown instead."),
    "attachment.missing": ("附件「{attachment}」不存在。", "Attachment '{attachment}' does not exist."),
    "attachment.bad_type": ("附件「{attachment}」的内容不是声明的类型（{expected}）：{why}。允许的类型：{allowed}。",
                            "Attachment '{attachment}' is not what it claims ({expected}): {why}. Allowed types: {allowed}."),
    "attachment.too_large": ("附件「{attachment}」过大（{size} 字节，上限 {limit}）。", "Attachment '{attachment}' is too large ({size} bytes, limit {limit})."),
    "render.template_error": ("网站模板出错：{problem}。请检查 content/theme/ 中覆盖的模板；网站未更新。",
                              "Template error: {problem}. Check the overriding templates in content/theme/; the site was not changed."),
    "calendar.unknown_year": ("{message}", "{message}"),
    "obligation.unknown_year": ("无法计算规则「{rule}」的截止日期：未知 {year} 年的节假日安排。请依国务院办公厅通知添加 calendar/{year}.yaml；在此之前该项列为未到期。",
                                "Cannot compute the deadline of rule '{rule}': the holiday schedule of {year} is unknown. Add calendar/{year}.yaml from the State Council notice; until then the item is listed as pending."),
    "git.backdated": ("声明的公示日期 {declared} 早于该文件首次提交到仓库的日期 {attested}（提交 {commit}）。合规评估以提交日期为准。",
                      "Declared publication date {declared} is earlier than the file's first commit {attested} ({commit}). Compliance uses the commit date."),
    "placeholder.remaining": ("还有待填写的占位内容「{text}」。请替换为真实内容。", "A placeholder '{text}' remains. Replace it with real content."),
    "config.invalid": ("站点配置错误：{problem}。", "Site configuration error: {problem}."),
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. Ordering (file, line, column, code) makes output stable."""

    file: str
    line: int
    column: int
    code: str
    severity: Severity = field(default=Severity.ERROR, compare=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def message(self, lang: Lang = "zh") -> str:
        zh, en = MESSAGES[self.code]
        template = zh if lang == "zh" else en
        return template.format_map(_Defaulting(dict(self.params)))

    def as_json(self, lang: Lang = "zh", relative_to: Path | None = None) -> dict[str, object]:
        return {
            "file": _display_path(self.file, relative_to),
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message(lang),
        }


class _Defaulting(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def diag(file: str | Path, line: int, column: int, code: str, severity: Severity = Severity.ERROR,
         **params: object) -> Diagnostic:
    if code not in MESSAGES:
        raise KeyError(f"unknown diagnostic code {code}")
    return Diagnostic(str(file), max(line, 1), max(column, 1), code, severity,
                      tuple(sorted((k, str(v)) for k, v in params.items())))


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]


def _display_path(file: str, relative_to: Path | None) -> str:
    base = relative_to or Path.cwd()
    try:
        return os.path.relpath(file, base).replace(os.sep, "/")
    except ValueError:
        return file


def format_text(diagnostics: Iterable[Diagnostic], lang: Lang = "zh") -> str:
    label = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "error", "warning": "warning"}}[lang]
    lines = [f"{_display_path(d.file, None)}:{d.line}:{d.column}: {label[d.severity.value]} [{d.code}] {d.message(lang)}"
             for d in sorted(diagnostics)]
    return "\n".join(lines)


def format_json(diagnostics: Iterable[Diagnostic], lang: Lang = "zh") -> str:
    ds = sorted(diagnostics)
    return json.dumps({
        "diagnostics": [d.as_json(lang) for d in ds],
        "errors": sum(d.severity is Severity.ERROR for d in ds),
        "warnings": sum(d.severity is Severity.WARNING for d in ds),
    }, ensure_ascii=False, indent=2)


def _gh_escape(text: str, prop: bool = False) -> str:
    # GitHub workflow commands need %, CR, LF (and in properties ':' and ',') escaped.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def format_github(diagnostics: Iterable[Diagnostic], lang: Lang = "zh") -> str:
    out = []
    for d in sorted(diagnostics):
        path = _gh_escape(_display_path(d.file, None), prop=True)
        out.append(f"::{d.severity.value} file={path},line={d.line},col={d.column},title={_gh_escape(d.code, True)}::"
                   f"{_gh_escape(d.message(lang))}")
    return "\n".join(out)
