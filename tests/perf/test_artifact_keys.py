"""An artifact's key (`BuildState.start`) is one digest of one string now, not of pieces
hashed one after another: the keys must be those of the pieces, for any path, template and
sources (an incremental build compares them with the last build's)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.incremental import COMPLETE_SOURCES, BuildState
from generator.render import Artifact

SLUGS = ["canyin-0006", "建材协会", "wuliu"]
PARTS = st.sampled_from(["associations", "en", "standards", "公告", "index.html", "page", "2", *SLUGS])
PATHS = st.lists(PARTS, min_size=1, max_size=6).map("/".join)
SOURCES = st.one_of(st.lists(st.sampled_from(["a.md", "协会/章程.md", "e3b0c442", "list:9f"]), max_size=4).map(tuple),
                    st.lists(st.just("list:9f"), max_size=1).map(lambda rest: (COMPLETE_SOURCES, *rest)))
ARTIFACTS = st.builds(lambda path, template, sources, produced: Artifact(
    path, template, {}, sources, (lambda: b"") if produced else None),
    PATHS, st.sampled_from([None, "list.html", "document.html"]), SOURCES, st.booleans())


def _keys_piece_by_piece(state: BuildState, artifacts: list[Artifact], per_assoc: dict[str, str],
                         everything: str) -> dict[str, str]:
    """The keys as they were made before: each piece hashed in turn."""
    keys: dict[str, str] = {}
    for a in artifacts:
        if a.produce is not None and not a.sources:
            continue
        h = hashlib.sha256(f"{state.shared}|{state._paths_digest}|{a.path}|{a.template}|".encode())
        h.update("\n".join(a.sources).encode())
        parts = a.path.split("/")
        i = parts.index("associations") if "associations" in parts[:2] else -1
        if a.sources[:1] == (COMPLETE_SOURCES,):
            pass
        elif 0 <= i and i + 2 < len(parts):
            h.update(per_assoc.get(parts[i + 1], "").encode())
        else:
            h.update(everything.encode())
        keys[a.path] = h.hexdigest()
    return keys


@settings(max_examples=200, deadline=None)
@given(st.lists(ARTIFACTS, max_size=25, unique_by=lambda a: a.path))
def test_keys_are_those_of_the_pieces_hashed_in_turn(artifacts: list[Artifact]) -> None:
    state = BuildState(Path("/站点/public"), "共享" * 32)
    state.site = SimpleNamespace(associations=[SimpleNamespace(slug=s) for s in SLUGS[:2]])
    per_assoc = {s: hashlib.sha256(f"关联{s}".encode()).hexdigest() for s in SLUGS[:2]}
    state._association_keys = per_assoc
    every = hashlib.sha256()
    for slug in SLUGS[:2]:
        every.update(per_assoc[slug].encode())
    state.settle([a.path for a in artifacts])
    state.start(artifacts)
    assert state.keys == _keys_piece_by_piece(state, artifacts, per_assoc, every.hexdigest())
