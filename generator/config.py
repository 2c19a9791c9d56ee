"""Site configuration (content/site.yaml), validated like content: typed, strict, positioned."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from .models.common import Model
from .rules import DEFAULT_RULES, Rule

# Months a record stays public, counted from the decision. NDRC order No. 58 (2023):
# penalty information at least 3 months and at most 3 years.
DEFAULT_PUBLICATION_MONTHS: dict[str, int] = {
    "warning": 3, "internal_criticism": 6, "public_censure": 12, "membership_revoked": 36, "referral": 36,
    "penalty": 36, "black": 36,
}


class Limits(Model):
    max_file_bytes: int = Field(default=1_000_000, ge=1_000, title="单个内容文件大小上限（字节）")
    max_attachment_bytes: int = Field(default=10_000_000, ge=1_000, title="单个附件大小上限（字节）")


class SiteConfig(Model):
    title: str = Field(default="行业协会商会自律信息公示平台", title="网站名称")
    title_en: str = Field(default="Industry Association Self-Regulation Disclosures", title="英文名称")
    description: str = Field(default="行业协会商会依法公开登记信息、自律规约、信用承诺、行业惩戒和年度报告。", title="网站简介")
    base_url: str = Field(default="https://gongshi.example.org", title="网站地址", description="用于规范链接、订阅和站点地图")
    languages: list[Literal["zh", "en"]] = Field(default_factory=lambda: ["zh", "en"], title="界面语言")
    mask_individuals: bool = Field(default=True, title="个人姓名脱敏", description="惩戒对象为从业人员时公开页面只显示姓氏")
    publication_months: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_PUBLICATION_MONTHS),
                                               title="公示期限（月）", description="各惩戒措施及处罚信息的公示期限，3 至 36 个月")
    obligations: list[Rule] = Field(default_factory=lambda: list(DEFAULT_RULES), title="公示义务规则")
    page_size: int = Field(default=50, ge=5, le=500, title="列表每页条数")
    limits: Limits = Field(default_factory=Limits, title="大小限制")

    @field_validator("publication_months")
    @classmethod
    def _within_national_bounds(cls, v: dict[str, int]) -> dict[str, int]:
        for key, months in v.items():
            if not 3 <= months <= 36:
                raise ValueError(f"{key} 的公示期限 {months} 个月不在 3 至 36 个月之间（国家发展改革委令第 58 号）")
        return {**DEFAULT_PUBLICATION_MONTHS, **v}

    @field_validator("obligations")
    @classmethod
    def _unique_rule_ids(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"规则编号 {rule.id} 重复：每条公示义务规则的 id 必须不同 (duplicate rule id)")
            seen.add(rule.id)
        return rules

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, v: str) -> str:
        return v.rstrip("/")
