"""A valid site full of markup, script and names that must not reach readers as such."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator import pipeline

from .corpus import fresh_content

AS_OF = dt.date(2025, 8, 20)  # inside the publication periods of the sanctions below
ASSOC = "associations/测试协会"

# Strings that exist only in documents the public must never see.
MEMBER_ONLY_SECRET = "会费收入壹佰贰拾叁万肆仟伍佰元整"
PRIVACY_SECRET = "内部存档编号甲乙丙丁戊己庚辛"
PRACTITIONER = "李明华"

RICH_FILES: dict[str, str] = {
    f"{ASSOC}/sanctions/2025-批评-002.md": """---
title: 关于对深圳市甲公司予以通报批评的决定<script>alert("标题")</script>
decision_number: 深测协自律〔2025〕2号
summary: '" onmouseover="alert(1)" data-x="'
subject:
  name: 深圳市甲公司<img src=x onerror=alert(1)>
  uscc: 91440300MA5F00012E
measure: 行业内通报批评
rule_broken: 《行业自律公约》第八条</td><script>alert(2)</script>
facts: 未按约定履行服务承诺。<iframe src="https://evil.example/"></iframe>
basis: 《行业自律公约》第二十条
decided_by: 行业自律委员会<svg onload=alert(3)>
decided_on: 2025-06-03
published_on: 2025-06-10
tags: ["<b onclick=alert(4)>标签</b>"]
---

经查，深圳市甲公司未按约定履行服务承诺。

<script>alert('正文')</script>

<a href="#" onclick="steal()">点我领奖</a> <img src="x" onerror="alert(5)">

详见[协会官网](https://example.org/公约)、[来函](mailto:office@example.org)和[本会概况](/associations/测试协会/)。
""",
    f"{ASSOC}/sanctions/2025-批评-003.md": f"""---
title: 关于对一名从业人员予以通报批评的决定
decision_number: 深测协自律〔2025〕3号
subject:
  name: {PRACTITIONER}
  type: 从业人员
  employer: 深圳市甲公司
  employer_uscc: 91440300MA5F00012E
measure: 行业内通报批评
rule_broken: 《从业人员职业道德准则》第六条
facts: 该从业人员收受客户财物。
basis: 《行业自律公约》第二十条
decided_by: 行业自律委员会
decided_on: 2025-07-01
published_on: 2025-07-08
---

经查，该从业人员在鉴定业务中收受客户财物，违反职业道德准则。
""",
    f"{ASSOC}/member-disclosures/2025-财务收支.md": f"""---
title: 2025 年上半年财务收支情况（仅向会员公开）
topic: 财务收支情况
period: 2025 年上半年
disclosed_on: 2025-07-15
audience: members
---

本期{MEMBER_ONLY_SECRET}，支出明细见附表。
""",
    f"{ASSOC}/sanctions/2025-警告-004.md": f"""---
title: 涉及个人隐私的惩戒记录（不公示）
decision_number: 深测协自律〔2025〕4号
privacy: true
subject:
  name: 深圳市甲公司
  uscc: 91440300MA5F00012E
measure: 警告
rule_broken: 《行业自律公约》第十二条
facts: 涉及个人隐私的情节不予记载。
basis: 《行业自律公约》第二十条
decided_by: 行业自律委员会
decided_on: 2025-08-01
---

{PRIVACY_SECRET}：本记录仅供内部存档。
""",
}


def write_rich(content: Path) -> Path:
    for rel, text in RICH_FILES.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return content


@pytest.fixture()
def rich_content(tmp_path: Path) -> Path:
    return write_rich(fresh_content(tmp_path / "content"))


@pytest.fixture(scope="module")
def rich_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(content, public) of the rich site, built once per module."""
    root = tmp_path_factory.mktemp("rich")
    content = write_rich(fresh_content(root / "content"))
    result = pipeline.build(content, root / "public", AS_OF)
    assert result.ok, [f"{d.file}:{d.line} {d.code} {d.message()}" for d in result.diagnostics]
    return content, root / "public"
