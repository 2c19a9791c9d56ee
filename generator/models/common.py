"""Shared field types and the base of every disclosure document.

Enumerations are stored as stable English codes (URLs, facets, open data) and accept the
Chinese label as input too, because secretariats write Chinese.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import types
import typing
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ..identifiers import uscc_problem


class Model(BaseModel):
    """Strict by default: unknown fields are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              use_enum_values=False, validate_default=True, defer_build=True)


def annotation_types(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/list/Annotated/Union: what a field can hold."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return annotation_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset):
        return [t for a in typing.get_args(annotation) for t in annotation_types(a)]
    return [annotation]


class Labelled(StrEnum):
    """An enum whose members carry (Chinese, English) labels in `_labels_`."""

    @classmethod
    def labels(cls) -> dict[str, tuple[str, str]]:
        return getattr(cls, "_labels_")()

    @property
    def zh(self) -> str:
        return self.labels()[self.value][0]

    @property
    def en(self) -> str:
        return self.labels()[self.value][1]

    @classmethod
    def from_input(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _codes_by_label(cls).get(value, value)
        return value


@functools.cache
def _codes_by_label(enum: type[Labelled]) -> dict[str, str]:
    """Each Chinese and English label with its code; the first code that has it (the order
    `from_input` once asked the labels in), as a lookup instead of a loop per value."""
    codes: dict[str, str] = {}
    for code, (zh, en) in enum.labels().items():
        codes.setdefault(zh, code)
        codes.setdefault(en, code)
    return codes


def labelled(name: str, labels: dict[str, tuple[str, str]]) -> Any:
    """Build a Labelled enum and an annotated type that also accepts the Chinese label."""
    # The functional API would record this module as the enum's home, where pickle cannot
    # find it (it is bound in the caller's module): name the caller's module instead, so
    # validated models can go into the persistent per-file cache.
    module = sys._getframe(1).f_globals["__name__"]
    enum = Labelled(name, {code.upper(): code for code in labels}, module=module, qualname=name)  # type: ignore[misc]
    enum._labels_ = staticmethod(lambda: labels)  # type: ignore[attr-defined]
    return enum, Annotated[enum, BeforeValidator(enum.from_input)]


def _check_uscc(value: str) -> str:
    problem = uscc_problem(value)
    if problem:
        raise PydanticCustomError("uscc", "{why}", {"why": problem})
    return value


Uscc = Annotated[str, BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
                 AfterValidator(_check_uscc),
                 Field(title="统一社会信用代码", description="18 位统一社会信用代码（GB 32100-2015），含校验位",
                       examples=["51440300MJL000015A"])]

Text = Annotated[str, Field(min_length=1)]

Audience, AudienceType = labelled("Audience", {
    "public": ("向社会公开", "public"),
    "members": ("向会员公开", "members only"),
})

EntityKind, EntityKindType = labelled("EntityKind", {
    "organisation": ("法人及非法人组织", "organisation"),
    "practitioner": ("从业人员", "practitioner"),
    "individual_business": ("个体工商户", "individual business"),
})

AdoptingBody, AdoptingBodyType = labelled("AdoptingBody", {
    "congress": ("会员（代表）大会", "member (representative) congress"),
    "council": ("理事会", "council"),
    "standing_council": ("常务理事会", "standing council"),
    "presidents_meeting": ("会长办公会", "presidents' meeting"),
    "secretariat": ("秘书处", "secretariat"),
    "self_regulation_body": ("行业自律机构", "self-regulation body"),
})


class AttachmentRef(Model):
    file: Text = Field(title="附件文件名", description="放在本协会 files/ 目录下的文件名", examples=["2025-惩戒决定书.pdf"])
    title: Text = Field(title="附件标题", examples=["惩戒决定书（扫描件）"])


class Amendment(Model):
    """A visible revision of a published record (GD 二(二): true, accurate, complete)."""

    date: dt.date = Field(title="更正日期")
    note: Text = Field(title="更正说明", description="改了什么、为什么改", examples=["更正处罚依据条款序号"])


class Subject(Model):
    """Who a record is about: the 行政相对人 / 惩戒对象 of the national 双公示 template."""

    name: Text = Field(title="名称或姓名", description="单位全称；从业人员写姓名（公开时按站点配置脱敏）", examples=["深圳市金玉满堂珠宝有限公司"])
    type: EntityKindType = Field(default="organisation", title="对象类别",
                                 description="organisation 法人及非法人组织 / practitioner 从业人员 / individual_business 个体工商户")
    uscc: Uscc | None = Field(default=None, description="单位的统一社会信用代码；对象为单位时必填")
    employer: str | None = Field(default=None, title="所在单位", description="从业人员所在单位名称")
    employer_uscc: Uscc | None = Field(default=None, description="从业人员所在单位的统一社会信用代码")
    member: bool = Field(default=True, title="是否本会会员", description="是会员时，代码必须在 association.yaml 的 members 中")

    @model_validator(mode="after")
    def _organisations_have_a_code(self) -> "Subject":
        if self.type != "practitioner" and self.uscc is None:
            raise PydanticCustomError("missing_uscc", "单位或个体工商户必须填写 uscc（统一社会信用代码）")
        return self


class Document(Model):
    """Fields every disclosure document has. Its id, association and kind come from its path."""

    kind: str | None = Field(default=None, title="类型", description="可省略；由所在目录决定，写了就必须一致")
    title: Text = Field(title="标题", examples=["关于对某公司予以公开谴责的决定"])
    audience: AudienceType = Field(default="public", title="公开范围",
                                   description="public 向社会公开 / members 仅向会员公开（不出现在公开网站）")
    published_on: dt.date | None = Field(default=None, title="公示日期",
                                      description="声明的公示日期；若内容在 git 仓库中，以首次提交日期为准")
    summary: str | None = Field(default=None, title="摘要", description="一两句话概述，用于列表和搜索结果")
    privacy: bool = Field(default=False, title="涉及个人隐私",
                          description="为 true 时不在公开网站发布（SZ 五(二)：涉及个人隐私的处罚信息除外）")
    attachments: list[AttachmentRef] = Field(default_factory=list, title="附件")
    amendments: list[Amendment] = Field(default_factory=list, title="更正记录", description="已公示内容的每次更正都要写明")
    references: list[Text] = Field(default_factory=list, title="相关文档",
                                   description="本协会其他文档的路径（不含扩展名），如 conventions/2024-自律公约",
                                   examples=[["conventions/2024-行业自律公约"]])
    tags: list[Text] = Field(default_factory=list, title="标签")

    # Kind-specific models set these; they drive obligations and listings.
    def event_date(self) -> dt.date | None:
        """The date that starts a disclosure clock, or dates the document in lists."""
        return self.published_on

    def facet_measure(self) -> str | None:
        return None
