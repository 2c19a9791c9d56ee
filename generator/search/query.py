"""Search from the command line, ranked exactly as search.js ranks in the browser.

The shared rules (search.js mirrors each function named here):

- plan_query: every token of the query is required (AND). A single Han character is a
  unigram, which the index holds for every occurrence of the character (tokenize.py,
  rule 5), so 罚 finds 处罚 and 2025年 finds 2025年度;
- a document's score is the sum of the integer scores (export.quantize of Whoosh's
  BM25F) of the query's tokens;
- a document is *exact* when each run of two or more query tokens (e.g. the bigrams of
  公开谴责) appears at consecutive positions in its title or snippet: the whole string is
  there, not just its bigrams scattered. Exact documents rank first;
- order: exact first, then higher score, then doc_id (the browser's doc number follows
  doc_id order, so it breaks ties the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from whoosh.query import And, Or, Term

from .index import TEXT_FIELDS, open_searcher, term_scores
from .records import Hit
from .tokenize import query_runs, token_positions


@dataclass(frozen=True)
class QueryPlan:
    required: tuple[str, ...]          # the query's distinct tokens, all required
    runs: tuple[tuple[str, ...], ...]  # runs of ≥ 2 tokens, checked for contiguity

    @property
    def terms(self) -> tuple[str, ...]:
        return self.required


def plan_query(text: str) -> QueryPlan:
    runs = query_runs(text)
    tokens = sorted({tok for run in runs for tok in run})
    return QueryPlan(tuple(tokens), tuple(tuple(run) for run in runs if len(run) > 1))


def head_positions(title: str, snippet: str) -> dict[str, list[int]]:
    """Token → positions in title + snippet, the text both sides check contiguity on.
    The newline between them is a separator, so a run never spans title and snippet."""
    positions: dict[str, list[int]] = {}
    for text, pos in token_positions(title + "\n" + snippet):
        held = positions.get(text)
        if held is None:
            positions[text] = [pos]
        else:
            held.append(pos)
    return positions


def is_exact(plan: QueryPlan, head: dict[str, list[int]]) -> bool:
    for run in plan.runs:
        later = [set(head.get(tok, ())) for tok in run[1:]]
        if not any(all(p + i + 1 in s for i, s in enumerate(later))
                   for p in head.get(run[0], ())):
            return False
    return True


def search(index_dir: Path, query: str, *, kind: str | None = None,
           association: str | None = None, year: int | None = None,
           measure: str | None = None, limit: int = 20) -> list[Hit]:
    plan = plan_query(query)
    if not plan.required:
        return []
    with open_searcher(index_dir) as searcher:
        matching = And([Or([Term(field, tok) for field in TEXT_FIELDS])
                        for tok in plan.required])
        facets = {"kind": kind, "association": association,
                  "year": None if year is None else str(year), "measure": measure}
        filters = [Term(name, value) for name, value in facets.items() if value is not None]
        results = searcher.search(matching, filter=And(filters) if filters else None,
                                  limit=None, scored=False)
        docnums = sorted(results.docs())
        per_term = {tok: term_scores(searcher, tok) for tok in plan.terms}
        ranked = []
        for docnum in docnums:
            fields = searcher.stored_fields(docnum)
            held = [tok for tok in plan.terms if docnum in per_term[tok]]
            # Only tokens the document is indexed under count as present, as in the
            # browser, which learns head positions from the postings it fetched.
            head = {tok: pos for tok, pos in
                    head_positions(fields["title"], fields["snippet"]).items() if tok in held}
            score = sum(per_term[tok][docnum] for tok in held)
            ranked.append((not is_exact(plan, head), -score, fields["doc_id"], score, fields))
    ranked.sort(key=lambda row: row[:3])
    return [Hit(doc_id=f["doc_id"], url=f["url"], title=f["title"], kind=f["kind"],
                association=f["association"], date=f["date"], score=score,
                snippet=f["snippet"])
            for _, _, _, score, f in ranked[:limit]]
