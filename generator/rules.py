"""Obligations as data: the rule shapes a site configures in site.yaml.

Four shapes cover DOMAIN.md's obligations: a *deadline* after an event, a *cadence* of
periodic reports, the *presence* of standing disclosures, a *condition* on a field. The
evaluator (`evaluate.py`) implements the shapes, never one function per rule.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from .models.common import Model

DayType = Literal["working", "calendar"]


class RuleBase(Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")] = Field(title="规则编号")
    title: str = Field(title="规则名称")
    title_en: str = Field(default="", title="英文名称")
    source: str = Field(title="依据", description="种子文件中的条款，如 SZ 五(二)")
    kind: str = Field(title="适用的文档类型")
    where: dict[str, str | list[str]] = Field(default_factory=dict, title="筛选条件",
                                              description="字段 → 值（或值列表），只评估符合条件的文档")


class DeadlineRule(RuleBase):
    shape: Literal["deadline"] = "deadline"
    start_field: str = Field(title="起算字段", examples=["decided_on"])
    days: int = Field(ge=1, le=365, title="期限天数")
    day_type: DayType = Field(default="working", title="天数类型")
    evidence_field: str = Field(default="published_on", title="证据字段")


class CadenceRule(RuleBase):
    shape: Literal["cadence"] = "cadence"
    period: Literal["year", "half_year", "month"] = Field(title="周期")
    period_field: str = Field(title="标明所属周期的字段", examples=["year", "period"])
    due: str = Field(pattern=r"^\d{2}-\d{2}$", title="截止月日",
                     description="下一周期中的截止日（MM-DD），如年度报告次年 05-31")
    evidence_field: str = Field(default="published_on", title="证据字段")


class PresenceRule(RuleBase):
    shape: Literal["presence"] = "presence"
    field: str | None = Field(default=None, title="必须有内容的字段",
                              description="kind 为 association 时，协会概况中必须填写的字段")


class ConditionRule(RuleBase):
    shape: Literal["condition"] = "condition"
    require: dict[str, bool | str | list[str]] = Field(title="要求",
                                                       description="字段 → 要求的值：true 表示必须有内容，列表表示其中之一")


Rule = Annotated[Union[DeadlineRule, CadenceRule, PresenceRule, ConditionRule], Field(discriminator="shape")]


def _deadline(id: str, title: str, title_en: str, source: str, kind: str) -> DeadlineRule:
    return DeadlineRule(id=id, title=title, title_en=title_en, source=source, kind=kind,
                        start_field="decided_on", days=7, day_type="working")


DEFAULT_RULES: tuple[Rule, ...] = (
    _deadline("penalty-7-working-days", "行政许可、行政处罚信息办结后 7 个工作日内公示",
              "Licensing and penalty information within 7 working days", "SZ 五(二)", "licensing_penalty"),
    _deadline("sanction-7-working-days", "行业惩戒决定后 7 个工作日内公示（本站默认，依 SZ 五(二) 类推）",
              "Sanctions within 7 working days (site default)", "SZ 五(二), SZ 四(二)4", "sanction"),
    CadenceRule(id="annual-self-regulation-report", title="每年公示行业自律工作年度报告",
                title_en="Annual self-regulation report every year", source="SZ 六(二)", kind="annual_report",
                where={"report_type": "self_regulation"}, period="year", period_field="year", due="05-31"),
    CadenceRule(id="half-year-supervisory-report", title="每半年至少一次向行业主管部门汇报",
                title_en="Report to the supervisory department every half year", source="SZ 六(五)",
                kind="supervisory_report", period="half_year", period_field="period", due="01-31",
                evidence_field="reported_on"),
    PresenceRule(id="registration-certificate", title="公开登记证书", title_en="Registration certificate disclosed",
                 source="GD 二(二)", kind="association", field="registration"),
    PresenceRule(id="structure", title="公开组织机构设置", title_en="Organisation structure disclosed",
                 source="GD 二(二)", kind="association", field="structure"),
    PresenceRule(id="leaders-and-council", title="公开负责人及理事会成员名单", title_en="Leaders and council disclosed",
                 source="GD 二(二)", kind="association", field="council"),
    PresenceRule(id="charter", title="公开章程", title_en="Charter disclosed", source="GD 二(二)", kind="charter"),
    PresenceRule(id="self-regulation-body", title="设立行业自律机构", title_en="Self-regulation body exists",
                 source="SZ 四(一)", kind="association", field="self_regulation_body"),
    PresenceRule(id="convention", title="制定行业自律规约", title_en="Convention exists", source="SZ 四(二)1, GD 二(一)",
                 kind="convention"),
    PresenceRule(id="ethics-code", title="制定职业道德准则", title_en="Ethics code exists", source="SZ 四(二)2",
                 kind="ethics_code"),
    PresenceRule(id="service-commitment", title="公开服务承诺", title_en="Service commitment published",
                 source="GD 二(三)", kind="service_commitment"),
    ConditionRule(id="charter-party-building", title="章程写入党建工作要求", title_en="Charter contains Party building",
                  source="SZ 三(三)", kind="charter", require={"party_building_clause": True}),
    ConditionRule(id="convention-adopted", title="行规行约经会员（代表）大会或理事会审议",
                  title_en="Convention reviewed by the congress or council", source="GD 二(一)", kind="convention",
                  require={"adopted_by": ["congress", "council"]}),
    ConditionRule(id="ethics-code-bans-bribery", title="职业道德准则明确禁止贿赂", title_en="Ethics code bans bribery",
                  source="SZ 四(二)2", kind="ethics_code", require={"bans_bribery": True}),
    ConditionRule(id="fee-standard-secret-ballot", title="会费标准经会员（代表）大会无记名投票通过",
                  title_en="Fee standard adopted by the congress by secret ballot", source="GD 二(四)",
                  kind="fee_standard", require={"adopted_by": ["congress"], "vote_method": ["secret_ballot"]}),
    ConditionRule(id="self-regulation-body-approved", title="行业自律机构成员经会员（代表）大会表决并备案",
                  title_en="Self-regulation body approved by the congress and filed", source="SZ 四(一)",
                  kind="association", require={"self_regulation_body.approved_by": ["congress"],
                                               "self_regulation_body.nominated_by_party": True,
                                               "self_regulation_body.filed_on": True}),
)
