"""The obligation engine: one module per rule shape, each a function
(context, rule, association) -> (status lines, diagnostics). See `generator.rules`."""

from __future__ import annotations

from typing import Any, Callable

from ..assemble import Association
from ..diagnostics import Diagnostic
from ..rules import CadenceRule, ConditionRule, DeadlineRule, PresenceRule
from .cadence import evaluate_cadence
from .condition import evaluate_condition
from .context import Context
from .deadline import evaluate_deadline
from .presence import evaluate_presence
from .status import STATUS_LABELS, STATUS_ORDER, DocumentState, ObligationStatus, Status, status_rank

Shape = Callable[[Context, Any, Association], tuple[list[ObligationStatus], list[Diagnostic]]]

SHAPES: dict[type, Shape] = {
    DeadlineRule: evaluate_deadline,
    CadenceRule: evaluate_cadence,
    PresenceRule: evaluate_presence,
    ConditionRule: evaluate_condition,
}


def evaluate_association_rules(ctx: Context, assoc: Association) -> tuple[tuple[ObligationStatus, ...],
                                                                          tuple[Diagnostic, ...]]:
    """Every configured rule for one association: no rule shape looks at another association's
    documents, so a preview re-evaluates only the associations an edit touched."""
    lines: list[tuple[tuple[int, str], ObligationStatus]] = []
    diagnostics: list[Diagnostic] = []
    for position, rule in enumerate(ctx.site.config.obligations):
        found, ds = SHAPES[type(rule)](ctx, rule, assoc)
        lines += [((position, s.instance), s) for s in found]
        diagnostics += ds
    lines.sort(key=lambda t: t[0])
    return tuple(s for _, s in lines), tuple(sorted(set(diagnostics)))


__all__ = ["evaluate_association_rules", "Context", "ObligationStatus", "DocumentState", "Status", "STATUS_LABELS",
           "STATUS_ORDER", "status_rank"]
