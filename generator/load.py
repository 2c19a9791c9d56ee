"""Stage 1 — load: read content/ into raw documents that remember where every value is.

PyYAML's composer gives nodes with marks; we construct plain Python values ourselves so
that (a) every value keeps its line and column for diagnostics, (b) duplicate keys are an
error instead of "last one wins", and (c) aliases cannot expand without bound. Nothing here
knows the content kinds: folders are mapped to kinds by `validate`.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Collection, Iterator

import yaml

from .diagnostics import Diagnostic, diag

try:  # libyaml's composer keeps marks and is several times faster
    from yaml.cyaml import CParser as _Composer
except ImportError:  # pragma: no cover - pure-Python fallback
    _Composer = yaml.SafeLoader

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVED_MAX = 20_000      # plain scalars remembered with their tag (keys and short values repeat)
# The safe loader's resolver, asked for a tag the memo does not hold. It has no path
# resolvers (none are registered), so a tag depends on the node's kind and text alone.
_RESOLVER = yaml.resolver.Resolver()


class _YamlLoader(_Composer):  # type: ignore[misc, valid-type]
    """libyaml's composer alone: the safe loader without its constructor (load builds the
    values itself, `_Builder`), whose set-up for every file cost more than a tenth of
    composing it. Tags are the safe loader's, with those of plain scalars remembered: the
    composer asks for the tag of every scalar of every file (PyYAML's resolver tries its
    regexes one by one), and the keys and the plain values (true, dates, kinds) are the
    same thousands of times. A quoted scalar is always a string."""

    _resolved: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR_TAG
            tag = self._resolved.get(value)
            if tag is None:
                tag = _RESOLVER.resolve(kind, value, implicit)
                if len(value) <= 64 and len(self._resolved) < _RESOLVED_MAX:
                    self._resolved[value] = tag
            return tag
        return _RESOLVER.resolve(kind, value, implicit)  # type: ignore[no-any-return]

    # Called by libyaml's composer around every node, for path resolvers: there are none.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

YamlPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000       # constructed values per file: far above any real disclosure
MAX_DEPTH = 40
# Text this short cannot nest deeply enough to overflow the C stack (one level needs at
# least one character), so the extra depth scan runs only on longer YAML.
SHALLOW_TEXT_CHARS = 4096
MARKDOWN_SUFFIXES = (".md",)
YAML_SUFFIXES = (".yaml", ".yml")
# A name is an id or slug: it becomes part of a URL and a path on disk.
NAME_RE = re.compile(r"^[0-9a-z\u4e00-\u9fff][0-9a-z\u4e00-\u9fff_-]{0,79}$")
RESERVED_NAMES = frozenset({"index", "con", "prn", "aux", "nul", "com1", "lpt1", "data", "search", "static"})


@dataclass(frozen=True)
class Positions:
    """Line/column (1-based) of every value and key, addressed by its path in the data."""

    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: YamlPath, *, key: bool = False) -> tuple[int, int]:
        """The closest known position: the value (or key) itself, else its nearest parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (1, 1))


class RawDocument:
    """A content file as read: data, Markdown body, and where things are.

    The decoded text is held once, as `head` + `body`. `data` and `positions` are derived
    from `head` when first asked for: positions only matter when a diagnostic is reported,
    and a file whose validation result comes from the per-file cache is never parsed at all
    (validation lets go of `data` once the model is built, to keep memory down). A file the
    per-file cache knows unchanged by its stat (`unread`) is not even read until its text
    is asked for. Equal when path, place and bytes (`content_hash`) are equal.
    """

    file: str                       # absolute path of the file (`path` as a Path, made when asked for)
    rel: str                        # POSIX path relative to the content dir
    association: str | None         # folder name under associations/, if any
    folder: str | None              # the kind folder (e.g. "sanctions"), None at association level
    stem: str                       # file name without extension: the document's id
    body_line: int                  # 1-based line where the body starts
    content_hash: str               # sha256 of the bytes

    def __init__(self, path: Path | str, rel: str, association: str | None, folder: str | None, stem: str,
                 body: str | None, body_line: int, head: str, content_hash: str) -> None:
        self.file, self.rel, self.association, self.folder, self.stem = str(path), rel, association, folder, stem
        if isinstance(path, Path):
            self.__dict__["path"] = path
        self.body_line, self.content_hash = body_line, content_hash
        self.__dict__["body"] = body    # Markdown body, None for YAML files
        self.__dict__["head"] = head    # the text before the body: front matter and its --- lines (all of a YAML file)

    @classmethod
    def unread(cls, file: str, rel: str, association: str | None, folder: str | None, body_line: int,
               content_hash: str, stem: str | None = None) -> "RawDocument":
        """A file known by its stat to hold `content_hash`: read when its text is first asked for.
        `file` is its absolute path and `rel` that path relative to the content dir (POSIX);
        `stem` its id when the caller has it already (`walk_association` checked it)."""
        doc = cls.__new__(cls)
        doc.file, doc.rel, doc.association, doc.folder = file, rel, association, folder
        if stem is None:
            name = rel.rpartition("/")[2]
            stem = unicodedata.normalize("NFC", name[: name.rindex(".")] if "." in name[1:] else name)
        doc.stem = stem
        doc.body_line, doc.content_hash = body_line, content_hash
        return doc

    @cached_property
    def path(self) -> Path:
        return Path(self.file)

    def _identity(self) -> tuple[Any, ...]:
        return (self.file, self.rel, self.association, self.folder, self.stem, self.body_line, self.content_hash)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawDocument) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"RawDocument({self.rel!r}, {self.content_hash[:12]})"

    def _read(self) -> None:
        file = str(self.path)
        text = self.path.read_bytes().decode("utf-8-sig", "replace").replace("\r\n", "\n").replace("\r", "\n")
        body: str | None = None
        if self.path.suffix in MARKDOWN_SUFFIXES:
            try:
                body = split_front_matter(text, file)[1]
            except _YamlError:          # changed on disk since it was checked: keep what is there
                body = ""
        self.__dict__["head"] = text[: len(text) - len(body)] if body else text
        self.__dict__["body"] = body

    @cached_property
    def head(self) -> str:
        self._read()
        return self.__dict__["head"]  # type: ignore[no-any-return]

    @cached_property
    def body(self) -> str | None:
        self._read()
        return self.__dict__["body"]  # type: ignore[no-any-return]

    @property
    def text(self) -> str:
        """The whole decoded text, for scanners (privacy)."""
        return self.head + (self.body or "")

    def _parse(self, positions: bool) -> tuple[Any, Positions]:
        if self.body is None:
            return parse_yaml(self.head, str(self.path), positions=positions)
        yaml_text, _, _ = split_front_matter(self.head, str(self.path))
        return parse_yaml(yaml_text, str(self.path), line_offset=1, positions=positions)

    @cached_property
    def data(self) -> dict[str, Any]:
        return self._parse(positions=False)[0]  # type: ignore[no-any-return]

    @cached_property
    def positions(self) -> Positions:
        return self._parse(positions=True)[1]

    def release(self) -> None:
        """Drop the parsed data and positions (they are parsed again if asked for)."""
        d = self.__dict__
        if "data" in d or "positions" in d:
            d.pop("data", None)
            d.pop("positions", None)


@dataclass(frozen=True)
class Attachment:
    path: Path
    rel: str
    association: str
    name: str
    size: int


@dataclass(frozen=True)
class LoadedContent:
    root: Path
    site: RawDocument | None
    calendars: tuple[RawDocument, ...]
    documents: tuple[RawDocument, ...]
    attachments: tuple[Attachment, ...]
    theme_dir: Path | None
    diagnostics: tuple[Diagnostic, ...]


class _YamlError(Exception):
    def __init__(self, diagnostic: Diagnostic, *more: Diagnostic) -> None:
        super().__init__(diagnostic.code)
        self.diagnostic = diagnostic
        self.diagnostics = (diagnostic, *more)   # every problem found in the file


# The safe loader's constructors of int, float, bool and null: each a pure function of one
# scalar node (called directly, not through construct_object, which would remember every
# node it was given). One loader for all files; its parser state is a bound method of itself,
# a cycle only the cyclic collector frees (which load runs without): disposed of.
_SCALARS = yaml.SafeLoader("")
_SCALARS.dispose()


_SCALAR_NODE, _SEQUENCE_NODE, _MAPPING_NODE = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_UNRECORDED = Positions()       # what a parse without positions returns as its positions


class _Builder:
    """Turns a composed node tree into plain values, recording positions."""

    def __init__(self, file: str, line_offset: int, record: bool = True) -> None:
        self.file = file
        self.offset = line_offset
        # Positions are recorded only when asked for (else an empty table, never written to).
        self.positions = Positions() if record else _UNRECORDED
        self.record = record
        self.count = 0
        self.problems: list[Diagnostic] = []   # reported together: one run shows every duplicate key
        self.field: yaml.Node | None = None      # the top-level field's value being built

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1

    def enter(self, node: yaml.Node, depth: int) -> None:
        """Count a node and check the limits, before its value is built."""
        self.count += 1
        if depth == 1:
            self.field = node
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            self.refuse(node, depth)

    def refuse(self, node: yaml.Node, depth: int) -> None:
        """Raise for a node over a limit (`enter` counted it)."""
        if self.count > MAX_NODES:
            # Aliased nodes carry the position of their anchor; the field whose value blew
            # up is what the author has to look at.
            raise _YamlError(diag(self.file, *self.pos(self.field or node), "yaml.too_many_nodes", limit=MAX_NODES))
        raise _YamlError(diag(self.file, *self.pos(node), "yaml.too_deep", limit=MAX_DEPTH))

    def duplicate(self, node: yaml.MappingNode, key_node: yaml.Node, key: str) -> None:
        """Note a key met before in the same mapping (the first one stands)."""
        first = next(k for k, _ in node.value if self.key(k) == key)
        self.problems.append(diag(self.file, *self.pos(key_node), "yaml.duplicate_key",
                                  key=key, first_line=first.start_mark.line + 1 + self.offset))

    def items(self, node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
        """A mapping's (key, key node, value node), a duplicate key noted as a problem and
        left out (the first one stands)."""
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in seen:
                self.duplicate(node, key_node, key)
                continue
            seen.add(key)
            yield key, key_node, value_node

    def build(self, node: yaml.Node, path: YamlPath = (), depth: int = 0) -> Any:
        self.enter(node, depth)
        if self.record:
            self.positions.values[path] = self.pos(node)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key, key_node, value_node in self.items(node):
                if self.record:
                    self.positions.keys[path + (key,)] = self.pos(key_node)
                out[key] = self.build(value_node, path + (key,), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def value(self, node: yaml.Node, depth: int = 0) -> Any:
        """`build` without recording positions (nor the paths that address them): how every
        file is first read. The same checks, in the same order, so the same diagnostics;
        `enter`, `items` and the text case of `key` and `scalar` written out (this runs for
        every node of every file)."""
        count = self.count = self.count + 1
        if depth == 1:
            self.field = node
        if count > MAX_NODES or depth > MAX_DEPTH:
            self.refuse(node, depth)
        cls = type(node)
        if cls is _SCALAR_NODE:
            return node.value if node.tag == _STR_TAG else self.scalar(node)
        if cls is _SEQUENCE_NODE:
            return [self.value(item, depth + 1) for item in node.value]
        if cls is not _MAPPING_NODE:
            return self.build(node, (), depth)      # never met: composers make these three
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if key_node.tag == _STR_TAG and type(key_node) is _SCALAR_NODE else self.key(key_node)
            if key in out:
                self.duplicate(node, key_node, key)
                continue
            out[key] = self.value(value_node, depth + 1)
        return out

    def key(self, key_node: yaml.Node) -> str:
        """A mapping key as text; raises for a merge key or a key that is no text or integer."""
        if key_node.tag == _STR_TAG and type(key_node) is yaml.ScalarNode:
            return key_node.value       # most keys: plain or quoted text
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise _YamlError(diag(self.file, *self.pos(key_node), "yaml.syntax",
                                  problem="不支持合并键 <<（merge keys are not supported）"))
        key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "[…]" if isinstance(
                key_node, yaml.SequenceNode) else "{…}"
            raise _YamlError(diag(self.file, *self.pos(key_node), "yaml.non_string_key", key=shown))
        return str(key)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        if tag == "tag:yaml.org,2002:timestamp":
            # Keep dates as text: pydantic parses them strictly, so 2025-02-30 becomes a
            # diagnostic at this node instead of a PyYAML exception without a position.
            return node.value
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                   "tag:yaml.org,2002:null"):
            try:
                return _SCALARS.yaml_constructors[tag](_SCALARS, node)
            except (ValueError, KeyError, TypeError, yaml.YAMLError):
                # `!!int abc`, `!!bool maybe`, or an integer longer than Python converts.
                shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
                self.problems.append(diag(self.file, *self.pos(node), "yaml.bad_value", value=shown,
                                          tag=tag.rsplit(":", 1)[-1]))
                return node.value
        return node.value  # str and any explicit/unknown tag: never construct objects


def parse_yaml(text: str, file: str, line_offset: int = 0, *, positions: bool = True) -> tuple[Any, Positions]:
    """Parse one YAML document; raise _YamlError with a positioned diagnostic."""
    try:
        if len(text) > SHALLOW_TEXT_CHARS:
            _check_depth(text, file, line_offset)
        node = yaml.compose(text, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
        col = (mark.column + 1) if mark else 1
        problem = exc.problem or str(exc)
        if "maximum nesting depth" in problem:
            # libyaml ≥ 0.2.5 (PyYAML 6.0.4 wheels) stops at its own depth limit while scanning
            # ahead: the same too-deep file as our limit catches, to be reported as such.
            raise _YamlError(diag(file, line, col, "yaml.too_deep", limit=MAX_DEPTH)) from None
        if "\t" in text and "tab" in problem.lower():
            problem += "（不能用 Tab 缩进 / tabs are not allowed for indentation）"
        raise _YamlError(diag(file, line, col, "yaml.syntax", problem=problem)) from None
    except yaml.YAMLError as exc:
        raise _YamlError(diag(file, 1 + line_offset, 1, "yaml.syntax", problem=str(exc))) from None
    except RecursionError:
        raise _YamlError(diag(file, 1 + line_offset, 1, "yaml.too_deep", limit=MAX_DEPTH)) from None
    builder = _Builder(file, line_offset, positions)
    if node is None:
        return {}, builder.positions
    try:
        data = builder.build(node) if positions else builder.value(node)
    except RecursionError:
        raise _YamlError(diag(file, 1 + line_offset, 1, "yaml.too_deep", limit=MAX_DEPTH)) from None
    if builder.problems:
        raise _YamlError(*builder.problems)
    return data, builder.positions


def _check_depth(text: str, file: str, line_offset: int) -> None:
    """Refuse deep nesting before composing: libyaml's composer recurses in C and a file of
    `[[[[…` some 30,000 levels deep kills the process with a segmentation fault. The event
    parser keeps its own stack, so counting its events is safe at any depth."""
    depth = 0
    for event in yaml.parse(text, Loader=_YamlLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _YamlError(diag(file, mark.line + 1 + line_offset, mark.column + 1, "yaml.too_deep",
                                      limit=MAX_DEPTH))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def decode(raw: bytes, file: str) -> str:
    """UTF-8 with an optional BOM; CRLF and CR become LF. Raise _YamlError otherwise."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _YamlError(diag(file, line, 1, "file.encoding", bad_line=line)) from None
    if b"\r" not in raw:       # most files: one scan of the bytes instead of two of the text
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


FRONT_MATTER_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n*")     # between the front matter and the body


def split_front_matter(text: str, file: str) -> tuple[str, str, int]:
    """(yaml_text, body, body_line). The YAML starts on line 2 of the file."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        raise _YamlError(diag(file, 1, 1, "frontmatter.missing"))
    # Searched from line 2 in place (the text after "---\n" starts a line, as a copy of it
    # would): the body is cut out once, not copied a few times over.
    m = FRONT_MATTER_CLOSE.search(text, 4)
    if m is None:
        raise _YamlError(diag(file, text.count("\n") + 1, 1, "frontmatter.unclosed"))
    start = _BLANK_LINES.match(text, m.end()).end()       # type: ignore[union-attr]
    return text[4: m.start()], text[start:], text.count("\n", 0, start) + 1


def _read_whole(file: str, max_bytes: int) -> bytes:
    """The bytes of `file`, refused (`file.too_large`) when its size is over `max_bytes`.
    On the descriptor itself: a file object costs more system calls per file (an ioctl that
    asks whether it is a terminal, lseeks, fstats), tens of thousands over a cold build at 10k."""
    fd = os.open(file, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise _YamlError(diag(file, 1, 1, "file.too_large", size=size, limit=max_bytes))
        try:
            parts = [os.read(fd, size + 1)]     # the whole of a regular file in one read
            if len(parts[0]) == size and size:  # all its bytes, and the end met: no second read
                return parts[0]
            while parts[-1]:                    # until the end (a file that grew since, a short read)
                parts.append(os.read(fd, max(size, 1 << 16)))
        except OSError as exc:                  # named as open() names it (a folder: EISDIR here)
            raise OSError(exc.errno, exc.strerror, file) from None
        return parts[0] if len(parts) == 2 else b"".join(parts)
    finally:
        os.close(fd)


def _names(path: Path | str, root: Path | str) -> tuple[str, str, str]:
    """(path, path relative to `root` in POSIX form, file name) of a file under `root`.
    A path the walk made (a string: the root's own text, "/", names) is cut as text; a Path
    for every file cost more than the rest of reading it. Anything else goes through Path."""
    if isinstance(path, str):
        prefix = f"{root}/"
        name = path.rpartition("/")[2]
        if path.startswith(prefix) and "//" not in path and "/./" not in path and "/../" not in path \
                and name not in ("", ".", ".."):
            return path, path[len(prefix):], name
    p = Path(path)
    return str(p), p.relative_to(root).as_posix(), p.name


def read_document(path: Path | str, root: Path | str, association: str | None, folder: str | None,
                  max_bytes: int = MAX_FILE_BYTES, *, known_good: Callable[[str], bool] | None = None) -> RawDocument:
    """Read one YAML or Markdown file. Raises _YamlError on anything unreadable.

    `known_good(content_hash)` says whether an earlier run parsed these very bytes without a
    problem (the per-file cache): then the YAML is not parsed now, only when asked for."""
    file, rel, name = _names(path, root)
    raw = _read_whole(file, max_bytes)
    content_hash = hashlib.sha256(raw).hexdigest()
    text = decode(raw, file)
    suffix = _suffix(name)
    if suffix in MARKDOWN_SUFFIXES:
        yaml_text, body, body_line = split_front_matter(text, file)
        head = text[: len(text) - len(body)]
    else:
        yaml_text, body, body_line, head = text, None, 1, text
    doc = RawDocument(
        path=path if isinstance(path, Path) else file, rel=rel, association=association, folder=folder,
        stem=unicodedata.normalize("NFC", name[: len(name) - len(suffix)]), body=body, body_line=body_line,
        head=head, content_hash=content_hash,
    )
    if known_good is not None and known_good(content_hash):
        return doc
    data, _ = parse_yaml(yaml_text, file, line_offset=0 if body is None else 1, positions=False)
    if not isinstance(data, dict):
        found = {list: "列表 (a list)", str: "一段文字 (text)"}.get(type(data), type(data).__name__)
        raise _YamlError(diag(file, 1, 1, "yaml.not_mapping", found=found))
    doc.__dict__["data"] = data         # parsed once: validation needs it next
    return doc


# Files parsed by an earlier run of this process (a `serve` session, generator.incremental):
# (path, association, folder, limit, sha256 of the bytes) -> RawDocument. The bytes are
# read and hashed every time (cheap); only an unchanged file skips the positioned YAML
# parse. None: parse every file. Files that fail to parse are never memoised.
parsed_memo: dict[tuple[str, str | None, str | None, int, str], RawDocument] | None = None


def _read_memoised(memo: dict[tuple[str, str | None, str | None, int, str], RawDocument], path: Path, root: Path,
                   association: str | None, folder: str | None, max_bytes: int) -> RawDocument:
    try:
        raw = path.read_bytes() if path.stat().st_size <= max_bytes else None
    except OSError:
        raw = None
    if raw is None:
        return read_document(path, root, association, folder, max_bytes)
    key = (str(path), association, folder, max_bytes, hashlib.sha256(raw).hexdigest())
    doc = memo.get(key)
    if doc is None:
        doc = memo[key] = read_document(path, root, association, folder, max_bytes)
    return doc


def check_name(name: str) -> str | None:
    """Why a slug or id is unusable, or None if it is fine."""
    if name in (".", "..") or "/" in name or "\\" in name:
        return "不能包含路径符号 (no path separators or dots)"
    if name.lower() in RESERVED_NAMES:
        return "是保留名称 (a reserved name)"
    if not NAME_RE.match(name):
        return "含有不允许的字符或过长 (characters not allowed, or longer than 80)"
    return None


def _safe_entries(directory: str, root: Path, diagnostics: list[Diagnostic]) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Entries of a folder (its absolute path), sorted by name, refusing links that leave the
    content root. With each path (a string: a Path per file cost more than the rest of the
    walk) its directory entry, whose type (and, once asked, its stat) come from the listing."""
    with os.scandir(directory) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name.endswith("~"):
            continue  # editor and VCS files
        path = f"{directory}/{name}"
        if entry.is_symlink() and (why := _symlink_problem(Path(path), root)) is not None:
            diagnostics.append(diag(path, 1, 1, "file.symlink", target=why))
            continue
        yield path, entry


def _suffix(name: str) -> str:
    """Path(name).suffix, for a plain file name."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


DOCUMENT_SUFFIXES = MARKDOWN_SUFFIXES + YAML_SUFFIXES


def walk_association(adir: Path | str, slug: str, root: Path,
                     read: Callable[[str, str | None, os.DirEntry[str], str | None], RawDocument | None],
                     diagnostics: list[Diagnostic]) -> tuple[list[RawDocument], list[Attachment]]:
    """One association folder: its documents (read by `read(absolute path, folder, entry,
    stem)`; the stem, checked here, is None for the files at the folder's top) and its
    attachments under files/. Shared by the full load and serve's one-folder re-read."""
    documents: list[RawDocument] = []
    attachments: list[Attachment] = []
    rel_root = len(str(root)) + 1
    for entry, en in _safe_entries(str(adir), root, diagnostics):
        name = en.name
        if en.is_dir():
            if name == "files":
                for f, e in _safe_entries(entry, root, diagnostics):
                    if e.is_file():
                        attachments.append(Attachment(Path(f), f[rel_root:], slug, e.name, e.stat().st_size))
                continue
            for f, e in _safe_entries(entry, root, diagnostics):
                if e.is_file() and _suffix(e.name) in DOCUMENT_SUFFIXES:
                    stem = unicodedata.normalize("NFC", e.name[: e.name.rindex(".")])
                    if (why := check_name(stem)) is not None:
                        diagnostics.append(diag(f, 1, 1, "file.bad_name", name=stem, why=why))
                        continue
                    if (doc := read(f, name, e, stem)) is not None:
                        documents.append(doc)
                elif e.is_file():
                    diagnostics.append(diag(f, 1, 1, "file.unexpected", name=e.name,
                                            hint="文档应为 .md 或 .yaml；附件请放到 files/ 目录。"))
        elif en.is_file() and _suffix(name) in DOCUMENT_SUFFIXES:
            if (doc := read(entry, None, en, None)) is not None:
                documents.append(doc)
    return documents, attachments


def _symlink_problem(entry: Path, root: Path) -> str | None:
    """Where a link escapes to (or that it loops), or None for a link inside the content root."""
    try:
        target = entry.resolve(strict=False)
    except (RuntimeError, OSError):  # a link loop: Python 3.11 raises RuntimeError, 3.13 OSError
        return f"{os.readlink(entry)}（循环链接 / a link loop）"
    return None if target.is_relative_to(root.resolve()) else str(target)


def _configured_max_bytes(site: RawDocument | None) -> int | None:
    """`limits.max_file_bytes` from site.yaml, read before any other file (validated later)."""
    limits = site.data.get("limits") if site is not None else None
    value = limits.get("max_file_bytes") if isinstance(limits, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1_000 else None


def reported(diagnostics: list[Diagnostic], path: Path | str, read: Callable[..., RawDocument],
             *args: Any) -> RawDocument | None:
    """`read(*args)`, or None with why the file at `path` could not be parsed or read added to
    `diagnostics` (the file is then left out). Shared by the full load and serve's re-read."""
    try:
        return read(*args)
    except _YamlError as exc:
        diagnostics.extend(exc.diagnostics)
    except OSError as exc:
        diagnostics.append(diag(path, 1, 1, "yaml.syntax", problem=str(exc)))
    return None


def load_content(root: Path, max_bytes: int | None = None, files: Any = None,
                 slugs: Collection[str] | None = None) -> LoadedContent:
    """Read every content file under `root`. Never raises for bad content.

    `max_bytes` defaults to site.yaml's `limits.max_file_bytes`, else MAX_FILE_BYTES.
    `files` (a generator.filecache.FileCache) skips the YAML parse of documents whose bytes
    an earlier run parsed without a problem. `slugs`: read only these association folders
    (generator.prepare_parallel loads the two halves of a site on two cores)."""
    root = root.absolute()
    diagnostics: list[Diagnostic] = []
    documents: list[RawDocument] = []
    calendars: list[RawDocument] = []
    attachments: list[Attachment] = []
    site: RawDocument | None = None

    rel_root = len(str(root)) + 1

    def read_one(path: Path | str, association: str | None, folder: str | None,
                 entry: os.DirEntry[str] | None, stem: str | None) -> RawDocument:
        if parsed_memo is not None:
            return _read_memoised(parsed_memo, Path(path), root, association, folder, max_bytes or MAX_FILE_BYTES)
        if files is None or not association or entry is None:
            return read_document(path, root, association, folder, max_bytes or MAX_FILE_BYTES)
        file = str(path)
        st = entry.stat()
        if st.st_size <= (max_bytes or MAX_FILE_BYTES) and (hit := files.unchanged(file, st)) is not None:
            return RawDocument.unread(file, file[rel_root:], association, folder, hit[1], hit[0], stem)
        doc = read_document(path, root, association, folder, max_bytes or MAX_FILE_BYTES,
                            known_good=lambda h: files.known_good(file, h))
        files.note_stat(file, st, doc.content_hash, doc.body_line)
        return doc

    def read(path: Path | str, association: str | None, folder: str | None,
             entry: os.DirEntry[str] | None = None, stem: str | None = None) -> RawDocument | None:
        return reported(diagnostics, path, read_one, path, association, folder, entry, stem)

    site_file = root / "site.yaml"
    if site_file.is_symlink() and (why := _symlink_problem(site_file, root)) is not None:
        diagnostics.append(diag(site_file, 1, 1, "file.symlink", target=why))
    elif site_file.is_file():
        site = read(site_file, None, None)
    if max_bytes is None:
        max_bytes = _configured_max_bytes(site) or MAX_FILE_BYTES
    calendar_dir = root / "calendar"
    if calendar_dir.is_dir():
        for f, e in _safe_entries(str(calendar_dir), root, diagnostics):
            if _suffix(e.name) in YAML_SUFFIXES and e.is_file():
                if (doc := read(f, None, "calendar")) is not None:
                    calendars.append(doc)
    assoc_root = root / "associations"
    if assoc_root.is_dir():
        for adir, a in _safe_entries(str(assoc_root), root, diagnostics):
            if not a.is_dir():
                continue
            slug = unicodedata.normalize("NFC", a.name)
            if (why := check_name(slug)) is not None:
                diagnostics.append(diag(adir, 1, 1, "file.bad_name", name=slug, why=why))
                continue
            if slugs is not None and slug not in slugs:
                continue
            docs, atts = walk_association(adir, slug, root, lambda f, folder, e, stem: read(f, slug, folder, e, stem), diagnostics)
            documents += docs
            attachments += atts
    theme = root / "theme"
    return LoadedContent(
        root=root, site=site, calendars=tuple(calendars), documents=tuple(documents),
        attachments=tuple(attachments), theme_dir=theme if theme.is_dir() else None,
        diagnostics=tuple(diagnostics),
    )
