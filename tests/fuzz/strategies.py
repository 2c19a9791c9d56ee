"""Hypothesis strategies for content an author might commit: documents shaped like the
models (valid-ish), then mutated — wrong types, odd Unicode, control characters, broken
indentation, YAML features (anchors, tags, flow style), other encodings and line ends."""

from __future__ import annotations

from hypothesis import strategies as st

from generator.kinds import KINDS

ASSOC = "associations/测试协会"

# Valid front matter per kind (one line per field), the base every mutation starts from.
TEMPLATES: dict[str, list[str]] = {
    "sanctions": ["title: 关于对深圳市甲公司予以警告的决定", "decision_number: 深测协自律〔2025〕5号", "subject:",
                  "  name: 深圳市甲公司", "  uscc: 91440300MA5F00012E", "measure: 警告",
                  "rule_broken: 《行业自律公约》第十二条", "facts: 在宣传中使用“最高级”等用语。", "basis: 《行业自律公约》第二十条",
                  "decided_by: 行业自律委员会", "decided_on: 2025-08-01", "published_on: 2025-08-05"],
    "conventions": ["title: 深圳市测试行业自律公约", "adopted_by: 会员（代表）大会", "adopted_on: 2024-03-15",
                    "meeting: 第三届会员代表大会第二次会议"],
    "fee-standards": ["title: 会费标准", "adopted_by: congress", "vote_method: 无记名投票", "adopted_on: 2025-01-10",
                      "fees:", "  - member_class: 会长单位", "    amount_yuan: 20000", "  - {member_class: 会员单位, amount_yuan: 2000}"],
    "credit-evaluations": ["title: 2025 年度会员信用评价结果", "evaluated_on: 2025-07-01", "ratings:",
                           "  - {name: 深圳市甲公司, uscc: 91440300MA5F00012E, grade: AAA}"],
    "reports": ["title: 2024 年度行业自律工作报告", "report_type: self_regulation", "year: 2024",
                "submitted_to: [深圳市民政局]", "submitted_on: 2025-03-01"],
    "member-disclosures": ["title: 财务收支情况", "topic: finances", "period: 2025 年上半年", "disclosed_on: 2025-07-15",
                           "audience: members"],
}
FIELD_NAMES = sorted({line.split(":")[0].strip(" -{") for lines in TEMPLATES.values() for line in lines}
                     | {"kind", "privacy", "audience", "references", "attachments", "amendments", "tags", "summary"})

WEIRD_TEXT = st.sampled_from([
    "", " ", "~", "null", "yes", "No", "0x1F", "1e400", "0o17", "2025-02-30", "2025-13-01", "9" * 30, "-1", ".nan",
    "深圳市甲公司", "“引号”", "'", '"', "#注释", ": 冒号", "- 列表", "[未闭合", "{未闭合", "&锚点", "*别名", "!!int 甲",
    "!!python/object/apply:os.system ['true']", "<script>alert(1)</script>", "javascript:alert(1)", "\t制表符",
    "\u200b零宽", "\u202e反向", "\ufeffBOM", "\x85下一行", "\u2028行分隔", "１３８００１３８０００", "𠀀扩展B", "é", "\x7f",
])
UNICODE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
SCALAR = st.one_of(WEIRD_TEXT, UNICODE, st.integers(-10**6, 10**6).map(str), st.booleans().map(str),
                   st.dates().map(lambda d: d.isoformat()), st.floats(allow_nan=True).map(repr))


@st.composite
def yaml_value(draw: st.DrawFn, depth: int = 0) -> str:
    choice = draw(st.integers(0, 6 if depth < 3 else 2))
    if choice <= 2:
        return draw(SCALAR)
    if choice == 3:
        return "[" + ", ".join(draw(st.lists(SCALAR, max_size=4))) + "]"
    if choice == 4:
        return "{" + ", ".join(f"{draw(st.sampled_from(FIELD_NAMES))}: {draw(SCALAR)}" for _ in range(draw(st.integers(0, 3)))) + "}"
    if choice == 5:
        return "&a " + draw(yaml_value(depth + 1))
    return "*a"


@st.composite
def yaml_text(draw: st.DrawFn) -> str:
    """A YAML mapping of plausible fields with plausible and implausible values, mutated."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        indent = "  " * draw(st.integers(0, 2)) if draw(st.integers(0, 5)) == 0 else ""
        lines.append(f"{indent}{draw(st.sampled_from(FIELD_NAMES))}: {draw(yaml_value())}")
    return mutate(draw, "\n".join(lines))


def mutate(draw: st.DrawFn, text: str) -> str:
    """Up to three random edits: insert, delete, duplicate a line, re-indent, swap in a tab."""
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.integers(0, 5))
        lines = text.split("\n")
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == 0 and text:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(["\t", "\x00", "\r", ":", "-", "'", '"', "\n  ", "\ufeff", "\x1b", "#", "|"])) + text[at:]
        elif op == 1 and text:
            at = draw(st.integers(0, len(text) - 1))
            text = text[:at] + text[at + draw(st.integers(1, 5)):]
        elif op == 2 and lines:
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == 3 and lines:
            lines[i] = " " * draw(st.integers(0, 7)) + lines[i].lstrip()
            text = "\n".join(lines)
        elif op == 4 and lines:
            lines[i] = lines[i].replace("  ", "\t", 1)
            text = "\n".join(lines)
        elif op == 5 and lines:
            key = lines[i].split(":")[0] if ":" in lines[i] else draw(st.sampled_from(FIELD_NAMES))
            lines[i] = f"{key}: {draw(yaml_value())}"
            text = "\n".join(lines)
    return text


@st.composite
def markdown_body(draw: st.DrawFn) -> str:
    blocks = st.one_of(
        st.sampled_from([
            "## 第一章 总则", "### 第一节", "第一条　本会名称。\n本会是非营利性社会组织。", "- 条目一\n- 条目二\n  - 嵌套",
            "1. 第一\n2. 第二", "> 引用\n>> 嵌套引用", "| 项目 | 金额 |\n| --- | --- |\n| 会费 | 10 |", "```\n<script>x</script>\n```",
            "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>点</a>",
            "[链接](javascript:alert(1))", "[链接](JaVaScRiPt:alert(1))", "[链接](<java\tscript:alert(1)>)",
            "![图](data:image/svg+xml;base64,PHN2Zz4=)", "[链接](https://example.org/路径?a=1&b=2)", "[邮件](mailto:a@example.org)",
            "[相对](../sanctions/)", "[引用][1]\n\n[1]: vbscript:x", "*强调* **加粗** `代码`", "***", "\\", "&#106;&#97;",
            "[" * 50 + "]" * 50, "> " * 40 + "深", "- " * 40 + "深", "*" * 200, "<!-- 注释 -->", "<div>块</div>",
        ]),
        UNICODE,
    )
    return "\n\n".join(draw(st.lists(blocks, max_size=8)))


NAMES = st.sampled_from(["2025-警告-009", "2025-批评-010", "2024-self-regulation", "x", "index", "..md", "A大写",
                         "有 空格", "-rf", "con", "a..b", "新文档", "2025-警告-001"])


@st.composite
def mutated_document(draw: st.DrawFn) -> tuple[str, bytes]:
    """(content-relative path, bytes) of one new document: a kind's template, mutated."""
    folder = draw(st.sampled_from(sorted(TEMPLATES) + ["unknown-folder"]))
    lines = list(TEMPLATES.get(folder, TEMPLATES["conventions"]))
    for _ in range(draw(st.integers(0, 3))):  # drop, retype or add fields
        op = draw(st.integers(0, 2))
        if op == 0 and lines:
            lines.pop(draw(st.integers(0, len(lines) - 1)))
        elif op == 1 and lines:
            i = draw(st.integers(0, len(lines) - 1))
            key = lines[i].split(":")[0]
            lines[i] = f"{key}: {draw(yaml_value())}"
        else:
            lines.append(f"{draw(st.sampled_from(FIELD_NAMES))}: {draw(yaml_value())}")
    front = mutate(draw, "\n".join(lines))
    markdown = draw(st.booleans()) or folder == "unknown-folder"
    text = f"---\n{front}\n---\n\n{draw(markdown_body())}\n" if markdown else front + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "crlf", "gbk", "raw"]))
    if encoding == "crlf":
        data = text.replace("\n", "\r\n").encode("utf-8", "surrogatepass")
    elif encoding == "gbk":
        data = text.encode("gbk", "replace")
    elif encoding == "raw":
        data = text.encode("utf-8", "surrogatepass") + draw(st.binary(max_size=16))
    else:
        data = text.encode(encoding, "surrogatepass")
    name = draw(NAMES) + (".md" if markdown else draw(st.sampled_from([".yaml", ".yml"])))
    return f"{ASSOC}/{folder}/{name}", data


__all__ = ["ASSOC", "markdown_body", "mutated_document", "yaml_text", "KINDS"]
