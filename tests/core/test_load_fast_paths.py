"""The cheaper ways load reads a file give what the thorough ways give.

- the first read builds values without positions (`_Builder.value`); when a diagnostic needs
  positions the file is parsed again with them (`_Builder.build`): the two must agree on the
  data and on every problem they report, or a file would read one way and be reported another;
- the resolver remembers plain scalars' tags (`_YamlLoader.resolve`): the same tags as
  PyYAML's own resolver, however often a scalar is met; and the loader is libyaml's bare
  composer, without the safe loader's constructor: the same node trees as the safe loader;
- a file is read whole in one call when its first read returns all its bytes (`_read_whole`);
- a path the walk made is cut as text (`_names`): the same names as through pathlib.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from generator import load
from generator.load import _names, _read_whole, _YamlError, parse_yaml, read_document

# What load's composer is held to: PyYAML's safe loader, on libyaml where there is one.
_SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Plain scalars of every resolver's shape (and near misses), keys among them.
_PLAIN = st.sampled_from([
    "true", "True", "yes", "no", "on", "off", "null", "~", "Null", "2025-04-25", "2025-02-30",
    "2025-4-5", "12", "012", "0x1F", "0o17", "1_000", "1.5", ".inf", "-.Inf", ".nan", "1e3", "abc",
    "警告", "会员（代表）大会", "<<", "=", "+1", "-0", "0b101", "1:20", "190:20:30", "!", "9" * 30,
])
_QUOTED = st.text(alphabet=st.sampled_from("ab协会 \"'\\:#-"), max_size=8).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
_SCALAR = st.one_of(_PLAIN, _QUOTED, st.sampled_from(["!!int abc", "!!bool maybe", "!!str 12", "!!float x", "'单引号'"]))
_KEY = st.one_of(st.sampled_from(["title", "标题", "kind", "tags", "subject", "name"]), _PLAIN, st.sampled_from(["[a]", "{b: 1}", '"quoted"']))


@st.composite
def _yaml_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """A YAML mapping (block style, sometimes with flow values, anchors, aliases and
    duplicate keys) of scalars, lists and nested mappings."""
    lines: list[str] = []
    indent = "  " * depth
    for _ in range(draw(st.integers(1, 5))):
        key = draw(_KEY)
        shape = draw(st.integers(0, 5 if depth < 2 else 2))
        if shape <= 1:
            lines.append(f"{indent}{key}: {draw(_SCALAR)}")
        elif shape == 2:
            lines.append(f"{indent}{key}: [{', '.join(draw(st.lists(_PLAIN, max_size=3)))}]")
        elif shape == 3:
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}  - {draw(_SCALAR)}" for _ in range(draw(st.integers(1, 3)))]
        elif shape == 4:
            lines.append(f"{indent}{key}: &a {draw(_SCALAR)}")
            lines.append(f"{indent}again_{draw(st.integers(0, 2))}: *a")
        else:
            lines.append(f"{indent}{key}:")
            lines.append(draw(_yaml_texts(depth + 1)))
    return "\n".join(lines)


def _outcome(text: str, positions: bool) -> tuple[str, object]:
    try:
        return "data", parse_yaml(text, "会员.md", line_offset=1, positions=positions)[0]
    except _YamlError as exc:
        return "problems", exc.diagnostics


@settings(max_examples=300, deadline=None)
@given(_yaml_texts())
def test_the_first_read_without_positions_agrees_with_the_positioned_parse(text: str) -> None:
    assert _outcome(text, positions=False) == _outcome(text, positions=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SCALAR, min_size=1, max_size=20))
def test_remembered_tags_are_the_resolvers_own(scalars: list[str]) -> None:
    text = "\n".join(f"k{i}: {s}" for i, s in enumerate(scalars))
    # twice: the second time every plain scalar's tag comes from the memo
    for _ in range(2):
        ours = yaml.compose(text, Loader=load._YamlLoader)
        theirs = yaml.compose(text, Loader=_SAFE_LOADER)
        assert [(k.tag, k.value, v.tag, v.value) for k, v in ours.value] == \
               [(k.tag, k.value, v.tag, v.value) for k, v in theirs.value]


def _tree(node: yaml.Node | None) -> object:
    """A composed node as (kind, tag, where it starts and ends, value), all the way down."""
    if node is None:
        return None
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, marks, node.value, node.style)
    if isinstance(node, yaml.SequenceNode):
        return ("sequence", node.tag, marks, [_tree(n) for n in node.value])
    return ("mapping", node.tag, marks, [(_tree(k), _tree(v)) for k, v in node.value])


def _composed(text: str, loader: type) -> object:
    """The node tree `loader` composes from `text`, or the error it raises."""
    try:
        return _tree(yaml.compose(text, Loader=loader))
    except yaml.YAMLError as exc:
        return type(exc).__name__, str(exc)


@settings(max_examples=300, deadline=None)
@given(_yaml_texts())
def test_the_bare_composer_composes_as_the_safe_loader(text: str) -> None:
    # load's loader is libyaml's composer without the safe loader's constructor: the same
    # nodes, tags and marks (and the same errors) as yaml.CSafeLoader's, at every depth
    assert _composed(text, load._YamlLoader) == _composed(text, _SAFE_LOADER)


@pytest.mark.parametrize("text", ["", "# 只有注释\n", "a: [1, {b: &x 协会}, *x]\n", "a: !!int 12\nb: !custom 值\n",
                                  "- 1\n- [2, 3]\n", "a: 1\n---\nb: 2\n", "a: [1,\n", "{a: 1\n"])
def test_the_bare_composer_agrees_on_edge_cases(text: str) -> None:
    assert _composed(text, load._YamlLoader) == _composed(text, _SAFE_LOADER)


def test_a_memoised_tag_is_not_taken_for_a_quoted_scalar() -> None:
    data, _ = parse_yaml("a: true\nb: \"true\"\nc: 'true'\nd: true\n", "f.yaml")
    assert data == {"a": True, "b": "true", "c": "true", "d": True}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_a_file_is_read_whole(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    f = tmp_path_factory.mktemp("读") / "公示.md"
    f.write_bytes(raw)
    assert _read_whole(str(f), 1_000_000) == raw


def test_a_file_longer_than_its_size_said_is_read_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a file that grew between fstat and read: the first read returns size + 1 bytes
    f = tmp_path / "长.md"
    f.write_bytes("协会".encode() * 5000)
    real_fstat = os.fstat

    class Shrunk:
        def __init__(self, st: os.stat_result) -> None:
            self.st_size = st.st_size - 100
    monkeypatch.setattr(load.os, "fstat", lambda fd: Shrunk(real_fstat(fd)))
    assert _read_whole(str(f), 1_000_000) == f.read_bytes()


@pytest.mark.parametrize("name", ["2025-警告-001.md", "association.yaml", "a.b.yml", "无后缀", ".md"])
def test_a_walked_path_is_named_as_pathlib_names_it(tmp_path: Path, name: str) -> None:
    root = tmp_path / "内容"
    path = f"{root}/associations/测试协会/sanctions/{name}"
    p = Path(path)
    assert _names(path, root) == (str(p), p.relative_to(root).as_posix(), p.name)
    assert _names(p, root) == (str(p), p.relative_to(root).as_posix(), p.name)


@pytest.mark.parametrize("path", ["{root}//associations/x.md", "{root}/associations/./x.md", "{root}/a/../b/x.md"])
def test_an_unusual_path_goes_through_pathlib(tmp_path: Path, path: str) -> None:
    root = tmp_path / "内容"
    text = path.format(root=root)
    p = Path(text)
    assert _names(text, root)[0] == str(p)
    if ".." not in text:
        assert _names(text, root) == (str(p), p.relative_to(root).as_posix(), p.name)


def test_a_document_read_by_its_text_path_is_the_one_read_by_its_path(tmp_path: Path) -> None:
    root = tmp_path / "内容"
    folder = root / "associations" / "测试协会" / "sanctions"
    folder.mkdir(parents=True)
    f = folder / "2025-警告-001.md"
    f.write_text("---\ntitle: 警告\n---\n\n正文\n", encoding="utf-8")
    by_text = read_document(str(f), root, "测试协会", "sanctions")
    by_path = read_document(f, root, "测试协会", "sanctions")
    assert by_text == by_path
    assert (by_text.rel, by_text.stem, by_text.body, by_text.data) == (by_path.rel, by_path.stem, by_path.body, by_path.data)
    assert by_text.path == f and "path" not in read_document(str(f), root, "测试协会", "sanctions").__dict__


@pytest.mark.parametrize("positions", [False, True])
def test_every_repeat_of_a_key_names_the_line_of_its_first(positions: bool) -> None:
    text = "标题: 一\n其他: 二\n标题: 三\n1: 数字键\n'1': 文字键\n标题: 四\n"
    with pytest.raises(_YamlError) as caught:
        parse_yaml(text, "会员.md", line_offset=1, positions=positions)
    assert [(d.code, d.line, dict(d.params)["key"], dict(d.params)["first_line"]) for d in caught.value.diagnostics] == [
        ("yaml.duplicate_key", 4, "标题", "2"), ("yaml.duplicate_key", 6, "1", "5"), ("yaml.duplicate_key", 7, "标题", "2")]


def _split_by_copies(text: str) -> tuple[str, str, int]:
    """split_front_matter as it was written before it searched the text in place."""
    rest = text[4:]
    m = load.FRONT_MATTER_CLOSE.search(rest)
    assert m is not None
    body = rest[m.end():].lstrip("\n") if m.end() < len(rest) else ""
    skipped = len(rest[m.end():]) - len(rest[m.end():].lstrip("\n"))
    return rest[: m.start()], body, text[: 4 + m.end()].count("\n") + 1 + skipped


_FRONT_PIECES = st.sampled_from(["---", "...", "--- ", "---\t", "\n", "\n\n", "标题: 公告", "a: 1", " ", "正文",
                                 "----", "# 一、", "..", "x---"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_FRONT_PIECES, max_size=12).map("".join))
def test_front_matter_is_cut_where_the_copying_split_cut_it(after: str) -> None:
    text = "---\n" + after
    try:
        ours = load.split_front_matter(text, "公告.md")
    except _YamlError as exc:
        assert exc.diagnostic.code == "frontmatter.unclosed"
        assert load.FRONT_MATTER_CLOSE.search(text[4:]) is None
        return
    assert ours == _split_by_copies(text)


@pytest.mark.parametrize("raw", [b"a\r\nb\rc\n", "标题: 公告\r\n".encode(), b"\xef\xbb\xbfa: 1\r\n", b"a: 1\n"])
def test_line_ends_are_made_lf_whether_or_not_a_file_has_cr(raw: bytes) -> None:
    assert load.decode(raw, "公告.md") == raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
