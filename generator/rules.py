"""Obligations as data: the rule shapes a site configures in site.yaml.

Four shapes cover DOMAIN.md's obligations: a *deadline* after an event, a *cadence* of
periodic reports, the *presence* of standing disclosures, a *condition* on a field. The
evaluator (`evaluate.py`) implements the shapes, never one function per rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self, Union

from pydantic import BaseModel, Field, model_validator

from .kinds import BY_NAME
from .models.common import Model, annotation_types

DayType = Literal["working", "calendar"]
PeriodType = Literal["year", "half_year", "month"]
_MONTHS_IN: dict[str, int] = {"year": 12, "half_year": 6, "month": 1}


def field_types(kind: str, dotted: str) -> list[Any] | None:
    """The concrete types of a dotted field path of a kind's model, or None if it does not exist.

    Rules name fields as data; a typo in site.yaml must be an error at validation, not a
    rule that silently never matches.
    """
    current: Any = BY_NAME[kind].model
    found: list[Any] = []
    for part in dotted.split("."):
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        found = annotation_types(fields[part].annotation)
        current = next((t for t in found if isinstance(t, type) and issubclass(t, BaseModel)), None)
    return found


class RuleBase(Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")] = Field(title="规则编号")
    title: str = Field(title="规则名称")
    short_title: str = Field(default="", title="简称", description="合规矩阵表头用的简短名称；省略时用规则名称")
    title_en: str = Field(default="", title="英文名称")
    source: str = Field(title="依据", description="种子文件中的条款，如 SZ 五(二)")
    kind: str = Field(title="适用的文档类型")
    where: dict[str, str | list[str]] = Field(default_factory=dict, title="筛选条件",
                                              description="字段 → 值（或值列表），只评估符合条件的文档")

    @property
    def label(self) -> str:
        return self.short_title or self.title

    def _fields_used(self) -> list[str]:
        return list(self.where)

    def _date_fields(self) -> list[str]:
        return []

    @model_validator(mode="after")
    def _known_kind_and_fields(self) -> Self:
        if self.kind not in BY_NAME:
            raise ValueError(f"规则 {self.id} 的 kind「{self.kind}」不存在；可用：{'、'.join(sorted(BY_NAME))}")
        for path in self._fields_used():
            if field_types(self.kind, path) is None:
                raise ValueError(f"规则 {self.id}：{self.kind} 没有字段「{path}」")
        for path in self._date_fields():
            if dt.date not in (field_types(self.kind, path) or []):
                raise ValueError(f"规则 {self.id}：字段「{path}」不是日期")
        return self


class DeadlineRule(RuleBase):
    shape: Literal["deadline"] = "deadline"
    start_field: str = Field(title="起算字段", examples=["decided_on"])
    days: int = Field(ge=1, le=365, title="期限天数")
    day_type: DayType = Field(default="working", title="天数类型")
    evidence_field: str = Field(default="published_on", title="证据字段")

    def _fields_used(self) -> list[str]:
        return [*self.where, self.start_field, self.evidence_field]

    def _date_fields(self) -> list[str]:
        return [self.start_field, self.evidence_field]


class CadenceRule(RuleBase):
    """A report for every period. `due` is read from the start of the following period:
    MM counts that period's months from 01 (year `05-31` → 31 May next year; half year
    `01-31` → 31 July for H1, 31 January next year for H2; month `01-10` → the 10th of
    the next month); a day past the month's end means its last day."""

    shape: Literal["cadence"] = "cadence"
    period: PeriodType = Field(title="周期", description="year 年度 / half_year 半年（YYYY-H1、YYYY-H2）/ month 月度（YYYY-MM）")
    period_field: str = Field(title="标明所属周期的字段", examples=["year", "period"])
    due: str = Field(pattern=r"^\d{2}-\d{2}$", title="截止月日",
                     description="从下一周期开始算的第几月-日（MM-DD）：年度报告 05-31 即次年 5 月 31 日；"
                                 "半年报告 01-31 即下一个半年的第一个月末")
    evidence_field: str = Field(default="published_on", title="证据字段")

    def _fields_used(self) -> list[str]:
        return [*self.where, self.period_field, self.evidence_field]

    def _date_fields(self) -> list[str]:
        return [self.evidence_field]

    @model_validator(mode="after")
    def _due_inside_next_period(self) -> Self:
        month, day = (int(x) for x in self.due.split("-"))
        if not 1 <= month <= _MONTHS_IN[self.period] or not 1 <= day <= 31:
            raise ValueError(f"规则 {self.id} 的 due「{self.due}」不在下一个周期内：{self.period} 周期的月份只能是 "
                             f"01 至 {_MONTHS_IN[self.period]:02d}，日期 01 至 31")
        return self


class PresenceRule(RuleBase):
    shape: Literal["presence"] = "presence"
    field: str | None = Field(default=None, title="必须有内容的字段",
                              description="kind 为 association 时，协会概况中必须填写的字段")

    def _fields_used(self) -> list[str]:
        return [*self.where, *([self.field] if self.field else [])]

    @model_validator(mode="after")
    def _profile_needs_field(self) -> Self:
        if self.kind == "association" and not self.field:
            raise ValueError(f"规则 {self.id}：kind 为 association 时必须写 field（协会概况中必须填写的字段）")
        return self


class ConditionRule(RuleBase):
    shape: Literal["condition"] = "condition"
    require: dict[str, bool | str | list[str]] = Field(title="要求",
                                                       description="字段 → 要求的值：true 表示必须有内容，列表表示其中之一")

    def _fields_used(self) -> list[str]:
        return [*self.where, *self.require]


Rule = Annotated[Union[DeadlineRule, CadenceRule, PresenceRule, ConditionRule], Field(discriminator="shape")]


SHORT_TITLES = {"penalty-7-working-days": "双公示7日", "sanction-7-working-days": "惩戒7日"}


def _deadline(id: str, title: str, title_en: str, source: str, kind: str) -> DeadlineRule:
    return DeadlineRule(id=id, title=title, short_title=SHORT_TITLES[id], title_en=title_en, source=source, kind=kind,
                        start_field="decided_on", days=7, day_type="working")


DEFAULT_RULES: tuple[Rule, ...] = (
    _deadline("penalty-7-working-days", "行政许可、行政处罚信息办结后 7 个工作日内公示",
              "Licensing and penalty information within 7 working days", "SZ 五(二)", "licensing_penalty"),
    _deadline("sanction-7-working-days", "行业惩戒决定后 7 个工作日内公示（本站默认，依 SZ 五(二) 类推）",
              "Sanctions within 7 working days (site default)", "SZ 五(二), SZ 四(二)4", "sanction"),
    CadenceRule(id="annual-self-regulation-report", short_title="自律年报", title="每年公示行业自律工作年度报告",
                title_en="Annual self-regulation report every year", source="SZ 六(二)", kind="annual_report",
                where={"report_type": "self_regulation"}, period="year", period_field="year", due="05-31"),
    CadenceRule(id="half-year-supervisory-report", short_title="半年汇报", title="每半年至少一次向行业主管部门汇报",
                title_en="Report to the supervisory department every half year", source="SZ 六(五)",
                kind="supervisory_report", period="half_year", period_field="period", due="01-31",
                evidence_field="reported_on"),
    PresenceRule(id="registration-certificate", short_title="登记证书", title="公开登记证书", title_en="Registration certificate disclosed",
                 source="GD 二(二)", kind="association", field="registration"),
    PresenceRule(id="structure", short_title="组织机构", title="公开组织机构设置", title_en="Organisation structure disclosed",
                 source="GD 二(二)", kind="association", field="structure"),
    PresenceRule(id="leaders-and-council", short_title="负责人理事会", title="公开负责人及理事会成员名单", title_en="Leaders and council disclosed",
                 source="GD 二(二)", kind="association", field="council"),
    PresenceRule(id="charter", short_title="章程", title="公开章程", title_en="Charter disclosed", source="GD 二(二)", kind="charter"),
    PresenceRule(id="self-regulation-body", short_title="自律机构", title="设立行业自律机构", title_en="Self-regulation body exists",
                 source="SZ 四(一)", kind="association", field="self_regulation_body"),
    PresenceRule(id="convention", short_title="自律规约", title="制定行业自律规约", title_en="Convention exists", source="SZ 四(二)1, GD 二(一)",
                 kind="convention"),
    PresenceRule(id="ethics-code", short_title="道德准则", title="制定职业道德准则", title_en="Ethics code exists", source="SZ 四(二)2",
                 kind="ethics_code"),
    PresenceRule(id="service-commitment", short_title="服务承诺", title="公开服务承诺", title_en="Service commitment published",
                 source="GD 二(三)", kind="service_commitment"),
    ConditionRule(id="charter-party-building", short_title="党建入章", title="章程写入党建工作要求", title_en="Charter contains Party building",
                  source="SZ 三(三)", kind="charter", require={"party_building_clause": True}),
    ConditionRule(id="convention-adopted", short_title="规约审议", title="行规行约经会员（代表）大会或理事会审议",
                  title_en="Convention reviewed by the congress or council", source="GD 二(一)", kind="convention",
                  require={"adopted_by": ["congress", "council"]}),
    ConditionRule(id="ethics-code-bans-bribery", short_title="禁止贿赂", title="职业道德准则明确禁止贿赂", title_en="Ethics code bans bribery",
                  source="SZ 四(二)2", kind="ethics_code", require={"bans_bribery": True}),
    ConditionRule(id="fee-standard-secret-ballot", short_title="会费表决", title="会费标准经会员（代表）大会无记名投票通过",
                  title_en="Fee standard adopted by the congress by secret ballot", source="GD 二(四)",
                  kind="fee_standard", require={"adopted_by": ["congress"], "vote_method": ["secret_ballot"]}),
    ConditionRule(id="self-regulation-body-approved", short_title="自律机构表决备案", title="行业自律机构成员经会员（代表）大会表决并备案",
                  title_en="Self-regulation body approved by the congress and filed", source="SZ 四(一)",
                  kind="association", require={"self_regulation_body.approved_by": ["congress"],
                                               "self_regulation_body.nominated_by_party": True,
                                               "self_regulation_body.filed_on": True}),
)
