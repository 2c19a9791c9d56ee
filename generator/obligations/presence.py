"""Presence rules: a standing disclosure exists and is public (GD 二(二), SZ 四(一), GD 二(三)).

For `kind: association` the rule names a profile field that must be filled in; for any
other kind at least one document of that kind (passing `where`, and with `field` filled
when the rule names one) must be on the public site. Standing disclosures are judged on
the content as it is: they have no deadline, so publication dates do not enter here.
"""

from __future__ import annotations

from ..assemble import Association
from ..diagnostics import Diagnostic
from ..kinds import BY_NAME
from ..models.profile import AssociationProfile
from ..rules import PresenceRule
from .context import Context, field_title, filled, get_path
from .status import ObligationStatus

_HIDDEN = {"members": "仅向会员公开", "privacy": "标为涉及个人隐私", "expired": "公示期已届满"}


def evaluate_presence(ctx: Context, rule: PresenceRule, assoc: Association) -> tuple[list[ObligationStatus], list[Diagnostic]]:
    if rule.kind == "association":
        assert rule.field is not None  # the rule model requires it for profiles
        title = field_title(AssociationProfile, rule.field)
        if filled(get_path(assoc.profile, rule.field)):
            line = ctx.line(rule, assoc, "met", instance="association", evidence_url=assoc.url,
                            detail=f"协会概况已填写「{title}」")
        else:
            line = ctx.line(rule, assoc, "missing", instance="association",
                            detail=f"协会概况（association.yaml）未填写「{title}」（{rule.field}）")
        return [line], []

    label = BY_NAME[rule.kind].label_zh
    docs = [d for d in ctx.documents(assoc, rule) if rule.field is None or filled(get_path(d.model, rule.field))]
    public = [d for d in docs if ctx.state(d).visible]
    if public:
        doc = public[0]
        more = f"等 {len(public)} 件" if len(public) > 1 else ""
        return [ctx.line(rule, assoc, "met", instance=doc.id, evidence_url=doc.url,
                         published=ctx.state(doc).published_on, basis=ctx.state(doc).basis,
                         detail=f"已公示{label}「{doc.model.title}」{more}")], []
    if docs:
        reasons = "；".join(f"{d.id} {_HIDDEN.get(ctx.state(d).hidden_reason, '未公开')}" for d in docs)
        return [ctx.line(rule, assoc, "missing", instance=docs[0].id,
                         detail=f"{label}未向社会公开：{reasons}")], []
    return [ctx.line(rule, assoc, "missing", detail=f"尚未公示{label}")], []
