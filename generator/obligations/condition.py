"""Condition rules: a field of a disclosure says what the sources require (SZ 三(三),
GD 二(一), GD 二(四), SZ 四(一), SZ 四(二)2).

`require` maps dotted field paths to what they must hold: `true` any non-empty value,
`false` an empty one, a string that code, a list one of those codes. Every document of
the kind (passing `where`) is checked, public or not — a members-only fee standard must
still have been adopted by secret ballot. No document at all is `not_applicable`: the
kind's presence rule reports the absence, so it is not counted twice.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..assemble import Association
from ..diagnostics import Diagnostic
from ..kinds import BY_NAME
from ..rules import ConditionRule
from .context import Context, code, code_label, field_title, filled, get_path, show
from .status import ObligationStatus


def failures(model: Any, model_type: type[BaseModel], require: dict[str, bool | str | list[str]]) -> list[str]:
    """One sentence per requirement the model does not meet, in the rule's order."""
    out: list[str] = []
    for path, wanted in require.items():
        value = get_path(model, path)
        title = field_title(model_type, path)
        if wanted is True:
            if not filled(value):
                out.append(f"「{title}」（{path}）{'为否' if value is False else '未填写'}，要求有内容")
        elif wanted is False:
            if filled(value):
                out.append(f"「{title}」（{path}）为「{show(value)}」，要求为空")
        else:
            allowed = wanted if isinstance(wanted, list) else [wanted]
            if not filled(value) or str(code(value)) not in allowed:
                labels = "或".join(code_label(model_type, path, a) for a in allowed)
                out.append(f"「{title}」（{path}）为「{show(value)}」，要求为{labels}")
    return out


def evaluate_condition(ctx: Context, rule: ConditionRule, assoc: Association) -> tuple[list[ObligationStatus], list[Diagnostic]]:
    kind = BY_NAME[rule.kind]
    if rule.kind == "association":
        subjects: list[tuple[str, Any, str | None]] = [("association", assoc.profile, assoc.url)]
    else:
        subjects = [(d.id, d.model, ctx.evidence_url(d)) for d in ctx.documents(assoc, rule)]
    if not subjects:
        return [ctx.line(rule, assoc, "not_applicable", detail=f"没有{kind.label_zh}（其是否存在由相应公示规则核查）")], []

    lines: list[ObligationStatus] = []
    for instance, model, url in subjects:
        problems = failures(model, kind.model, rule.require)
        if problems:
            lines.append(ctx.line(rule, assoc, "missing", instance=instance, evidence_url=url,
                                  detail="；".join(problems)))
        else:
            met = "；".join(f"「{field_title(kind.model, p)}」为「{show(get_path(model, p))}」" for p in rule.require)
            lines.append(ctx.line(rule, assoc, "met", instance=instance, evidence_url=url, detail=f"{met}，符合要求"))
    return lines, []
