"""The association profile (协会概况, association.yaml): GD 二(二), SZ 三, SZ 四(一)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from .common import AdoptingBodyType, Model, Text, Uscc


class Registration(Model):
    certificate_number: Text = Field(title="登记证书编号", examples=["深社证字第 004321 号"])
    authority: Text = Field(title="登记管理机关", examples=["深圳市民政局"])
    registered_on: dt.date = Field(title="成立登记日期")
    valid_until: dt.date | None = Field(default=None, title="证书有效期至")


class Person(Model):
    name: Text = Field(title="姓名", examples=["王建国"])
    role: Text = Field(title="职务", examples=["会长"])
    organisation: str | None = Field(default=None, title="所在单位")


class PartyOrganisation(Model):
    """SZ 三(二): every association with three or more full members has its own Party organisation."""

    type: Text = Field(title="党组织类型", examples=["党支部", "联合党支部", "党委"])
    name: Text = Field(title="党组织名称")
    secretary: Text = Field(title="书记")
    members: int = Field(ge=0, title="正式党员人数")
    established_on: dt.date | None = Field(default=None, title="成立日期")


class SelfRegulationBody(Model):
    """SZ 四(一): nominated by the Party organisation, approved by the congress, filed."""

    name: Text = Field(title="行业自律机构名称", examples=["行业自律委员会", "行业廉洁从业委员会"])
    members: list[Person] = Field(min_length=1, title="成员名单")
    nominated_by_party: bool = Field(title="成员由党组织提名")
    approved_by: AdoptingBodyType = Field(title="表决机构", description="应为 congress（会员（代表）大会）")
    approved_on: dt.date = Field(title="表决通过日期")
    filed_with: list[Text] = Field(default_factory=list, title="备案机关",
                                   examples=[["深圳市市场监督管理局", "市两新组织党工委", "市社会组织党委", "市两新组织纪工委"]])
    filed_on: dt.date | None = Field(default=None, title="备案日期")


class Member(Model):
    """A member unit, so that sanctions and commitments can name it by USCC."""

    name: Text = Field(title="会员单位名称", examples=["深圳市金玉满堂珠宝有限公司"])
    uscc: Uscc
    joined_on: dt.date | None = Field(default=None, title="入会日期")
    grade: str | None = Field(default=None, title="会员级别", examples=["理事单位"])


class AssociationProfile(Model):
    kind: str | None = Field(default=None, title="类型", description="可省略，固定为 association")
    name: Text = Field(title="协会全称", examples=["深圳市珠宝首饰行业协会"])
    short_name: str | None = Field(default=None, title="简称")
    name_en: str | None = Field(default=None, title="英文名称")
    uscc: Uscc
    industry: Text = Field(title="所属行业", examples=["珠宝首饰"])
    registration: Registration = Field(title="登记证书")
    supervisory_departments: list[Text] = Field(min_length=1, title="行业主管部门", examples=[["深圳市市场监督管理局"]])
    legal_representative: Text = Field(title="法定代表人", description="与登记证书一致", examples=["王建国"])
    address: Text = Field(title="办公地址", examples=["深圳市罗湖区贝丽北路 1 号"])
    telephone: str | None = Field(default=None, title="办公电话", description="单位座机；不要填写个人手机号码")
    email: str | None = Field(default=None, title="电子邮箱")
    website: str | None = Field(default=None, title="协会网站")
    member_count: int = Field(ge=0, title="会员数量", description="截至信息更新日期的会员单位（个人）数量", examples=[320])
    leaders: list[Person] = Field(min_length=1, title="负责人", description="会长、副会长、秘书长等，每人一条")
    council: list[Person] = Field(min_length=1, title="理事会成员名单", description="每位理事一条：姓名、职务、所在单位")
    supervisors: list[Person] = Field(default_factory=list, title="监事会成员（监事）")
    structure: list[Text] = Field(min_length=1, title="组织机构设置", examples=[["秘书处", "行业自律委员会", "专业委员会"]])
    party_organisation: PartyOrganisation | None = Field(default=None, title="党组织")
    self_regulation_body: SelfRegulationBody | None = Field(default=None, title="行业自律机构")
    members: list[Member] = Field(default_factory=list, title="会员单位名录",
                                  description="被惩戒、作出信用承诺或被评价的会员单位须在此登记")
    joined_site_on: dt.date = Field(title="纳入公示平台日期", description="从这一天起评估各项公示义务")
    updated_on: dt.date = Field(title="信息更新日期")
    summary: str | None = Field(default=None, title="简介")
