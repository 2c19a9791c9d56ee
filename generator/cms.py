"""The web editor: a Decap CMS configuration generated from the same models as `check`.

Render-stage producer: `cms_artifacts` adds `admin/index.html`, `admin/config.yml` and
the editor's own script (installed from the npm registry into the build cache, copied into
a fingerprinted folder — Decap loads its chunks next to its main script — never a CDN).

Collections: one folder collection per (association, kind), plus one file collection per
association for its profile and charter. A document's association is its folder and
unknown front-matter fields are errors, so the association cannot be a field of a shared
per-kind collection: Decap would write it into the file.

Backend: GitHub (Netlify Identity / Git Gateway are deprecated). Saving opens a pull
request (`publish_mode: editorial_workflow`), where `gongshi check` runs before anything
is merged. The repository comes from GONGSHI_CMS_REPO or GITHUB_REPOSITORY (set in GitHub
Actions), the branch from GONGSHI_CMS_BRANCH (default main), the OAuth endpoint for
sites not hosted on Netlify from GONGSHI_CMS_AUTH_URL. `local_backend: true` lets
`npx decap-server` edit a local checkout without logging in.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import yaml
from yaml.emitter import Emitter
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from . import kinds as k
from .assemble import Site
from .evaluate import Evaluation
from .incremental import COMPLETE_SOURCES
from .render import Artifact, Theme
from .scaffold import ALSO_REQUIRED, PRESETS, _strip, _title, choices_zh, is_labelled, is_model, is_uscc, list_item

DECAP_PACKAGE = "decap-cms@3.16.3"  # pinned: the same content and version give the same site
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
# Free text that runs to paragraphs gets a text area instead of a one-line input.
LONG_TEXT = frozenset({"facts", "basis", "summary", "reason", "note", "penalty_content", "licence_content"})
NOT_EDITED = frozenset({"kind"})
DATE = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False,
        "picker_utc": True}


# --- widgets from the models ---------------------------------------------------------------


def _hint(field: FieldInfo, enum: Any | None = None) -> str | None:
    parts = []
    if field.description and not (enum and all(c in field.description for c in enum.labels())):
        parts.append(field.description)
    if field.examples:
        ex = field.examples[0]
        parts.append("例如：" + ("、".join(map(str, ex)) if isinstance(ex, list) else str(ex)))
    return "。".join(p.rstrip("。") for p in parts) or None


def _options(enum: Any) -> list[dict[str, str]]:
    return [{"label": zh, "value": code} for code, (zh, _en) in enum.labels().items()]


def widget(name: str, field: FieldInfo, owner: type[BaseModel]) -> dict[str, Any]:
    """The Decap field for one model field: label, widget, required, hint, default."""
    target, metadata = _strip(field.annotation)
    item = list_item(field.annotation)
    out: dict[str, Any] = {"label": _title(name, field), "name": name}
    if is_uscc(field):
        out |= {"widget": "string", "pattern": [USCC_PATTERN, "18 位统一社会信用代码（大写字母和数字，不含 I、O、S、V、Z）"]}
    elif item is not None and is_labelled(item):
        out |= {"widget": "select", "multiple": True, "options": _options(item)}
    elif item is not None and is_model(item):
        out |= {"widget": "list", "fields": model_fields(item)}
    elif item is not None:
        out |= {"widget": "list", "field": {"label": out["label"], "name": "item", "widget": "string"}}
    elif is_model(target):
        out |= {"widget": "object", "fields": model_fields(target)}
    elif is_labelled(target):
        out |= {"widget": "select", "options": _options(target)}
    elif target is bool:
        out |= {"widget": "boolean"}
    elif target in (int, float):
        out |= {"widget": "number", "value_type": "int" if target is int else "float"}
        for m in list(field.metadata) + metadata:
            if getattr(m, "ge", None) is not None:
                out["min"] = m.ge
            if getattr(m, "le", None) is not None:
                out["max"] = m.le
    elif getattr(target, "__name__", "") == "date":
        out |= DATE
    else:
        out |= {"widget": "text" if name in LONG_TEXT else "string"}
        pattern = next((getattr(m, "pattern", None) for m in list(field.metadata) + metadata
                        if getattr(m, "pattern", None)), None)
        if pattern:
            out["pattern"] = [pattern, f"格式不对，例如：{_hint(field) or pattern}"]
    required = field.is_required() or name in PRESETS.get(owner, {})
    out["required"] = required
    if name in ALSO_REQUIRED.get(owner, ()):
        out["hint_required"] = True  # required by a rule between fields: said in the hint, not enforced by Decap
    hint = _hint(field, target if is_labelled(target) else item if is_labelled(item) else None)
    if is_labelled(target) or (item is not None and is_labelled(item)):
        hint = ((hint + "。") if hint else "") + "可选：" + choices_zh(target if is_labelled(target) else item)
    if out.pop("hint_required", False):
        hint = "（按规定必填）" + (hint or "")
    if hint:
        out["hint"] = hint
    preset = PRESETS.get(owner, {}).get(name)
    if preset is not None:
        out["default"] = preset
    elif not field.is_required() and isinstance(field.default, (str, bool, int, float)) and field.default is not None:
        out["default"] = field.default.value if hasattr(field.default, "value") else field.default
    return out


def model_fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    return [widget(n, f, model) for n, f in model.model_fields.items() if n not in NOT_EDITED]


# --- the configuration -----------------------------------------------------------------------


def repo_root(content_dir: Path) -> Path:
    """The git work tree holding the content (Decap paths are relative to it)."""
    for folder in (content_dir.resolve(), *content_dir.resolve().parents):
        if (folder / ".git").exists():
            return folder
    return content_dir.resolve().parent


def _collection_name(slug: str, kind: k.Kind) -> str:
    # Decap uses the name in URLs and branch names (cms/<name>/<slug>): ASCII and stable.
    return f"{kind.name}-{_slug_digest(slug)}"


def _slug_digest(slug: str) -> str:
    return hashlib.sha256(slug.encode()).hexdigest()[:8]


def cms_config(site: Site, env: dict[str, str] | None = None) -> dict[str, Any]:
    head, groups, _stand_in = _config_parts(site, env)
    return {**head, "collections": [c for _values, group in groups() for c in group]}


_Groups = Callable[[], Iterator[tuple[dict[str, str], list[dict[str, Any]]]]]


def _config_parts(site: Site, env: dict[str, str] | None = None) -> tuple[dict[str, Any], _Groups, list[dict[str, Any]]]:
    """The configuration but its collections; the collections association by association,
    with what each association's are made from (the file is written a few collections at a
    time: 4,200 of them at 10k documents); the collections of a stand-in association made
    from the placeholders (`_yaml_chunks` writes its text once and fills it in)."""
    env = dict(os.environ if env is None else env)
    content = Path(os.path.relpath(site.root.resolve(), repo_root(site.root))).as_posix()
    backend: dict[str, Any] = {
        "name": "github",
        "repo": env.get("GONGSHI_CMS_REPO") or env.get("GITHUB_REPOSITORY") or "OWNER/REPOSITORY",
        "branch": env.get("GONGSHI_CMS_BRANCH", "main"),
        "commit_messages": {"create": "新建 {{collection}}：{{slug}}", "update": "修改 {{collection}}：{{slug}}",
                            "delete": "删除 {{collection}}：{{slug}}", "uploadMedia": "上传附件 {{path}}",
                            "deleteMedia": "删除附件 {{path}}"},
    }
    if env.get("GONGSHI_CMS_AUTH_URL"):
        backend["base_url"] = env["GONGSHI_CMS_AUTH_URL"]
    # One field list per kind, shared by every association's collection (thousands at 10k
    # documents; made per collection they held a million objects). config_yaml splices
    # shared lists in by placeholder, so sharing writes no YAML anchors.
    shared: dict[str, list[dict[str, Any]]] = {}

    def fields_of(kind: k.Kind) -> list[dict[str, Any]]:
        if kind.name not in shared:
            shared[kind.name] = model_fields(kind.model) + [body_field()]
        return shared[kind.name]

    profile_fields = model_fields(k.BY_NAME["association"].model)

    def groups() -> Iterator[tuple[dict[str, str], list[dict[str, Any]]]]:
        """Per association: what its collections are made from, and the collections."""
        for assoc in site.associations:
            values = {_NAME: assoc.profile.short_name or assoc.profile.name,
                      _BASE: f"{content}/associations/{assoc.slug}",
                      _DIGEST: _slug_digest(assoc.slug)}
            yield values, list(_collections_of(values[_NAME], values[_BASE], values[_DIGEST], profile_fields, fields_of))

    stand_in = list(_collections_of(_NAME, _BASE, _DIGEST, profile_fields, fields_of))

    return {
        # `npx decap-server` on another port: GONGSHI_CMS_LOCAL_BACKEND=http://localhost:8082/api/v1
        "backend": backend, "local_backend": {"url": env["GONGSHI_CMS_LOCAL_BACKEND"]} if env.get("GONGSHI_CMS_LOCAL_BACKEND") else True, "publish_mode": env.get("GONGSHI_CMS_PUBLISH_MODE", "editorial_workflow"),
        "locale": "zh_Hans", "site_url": site.config.base_url, "display_url": site.config.base_url,
        "media_folder": f"{content}/associations", "public_folder": "",
        "slug": {"encoding": "unicode", "clean_accents": False, "sanitize_replacement": "-"},
    }, groups, stand_in


_NAME, _BASE, _DIGEST = "GONGSHIASSOCIATIONNAMEX", "GONGSHIASSOCIATIONBASEX", "GONGSHISLUGDIGESTX"


def _collections_of(name: str, base: str, digest: str, profile_fields: list[dict[str, Any]],
                    fields_of: Any) -> Iterator[dict[str, Any]]:
    """One association's collections: its profile and charter, and one per kind (named as
    `_collection_name` says: `digest` is `_slug_digest` of the association's slug)."""
    yield {
        "name": f"{k.BY_NAME['association'].name}-{digest}",
        "label": f"{name} · 协会概况和章程", "editor": {"preview": False},
        "files": [
            {"name": "association", "label": "协会概况", "file": f"{base}/association.yaml", "format": "yaml",
             "fields": profile_fields},
            {"name": "charter", "label": "章程", "file": f"{base}/charter.md", "format": "frontmatter",
             "fields": fields_of(k.BY_NAME["charter"])},
        ],
    }
    for kind in k.KINDS:
        if kind.folder is None:
            continue
        yield {
            "name": f"{kind.name}-{digest}", "label": f"{name} · {kind.label_zh}",
            "label_singular": kind.label_zh, "description": f"{kind.label_zh}（{kind.label_en}），依据 {kind.source}。",
            "folder": f"{base}/{kind.folder}", "extension": "md", "format": "frontmatter", "create": True,
            # File names become URLs and must be lower-case letters, digits, Han, '-' and '_': a
            # title slug would keep full-width punctuation, so new files are named by time.
            "slug": "{{fields.year}}-{{fields.report_type}}" if kind.name == "annual_report"
                    else "{{year}}-{{month}}-{{day}}-{{hour}}{{minute}}{{second}}",
            "identifier_field": "title", "summary": "{{title}}",
            "media_folder": "../files", "public_folder": "",
            "editor": {"preview": False},
            "fields": fields_of(kind),
        }


def body_field() -> dict[str, Any]:
    return {"label": "正文", "name": "body", "widget": "markdown", "required": False,
            "hint": "Markdown 正文：事实、理由、依据等全文", "buttons": ["bold", "italic", "link", "heading-two",
                                                                  "heading-three", "quote", "bulleted-list", "numbered-list"],
            "editor_components": [], "modes": ["rich_text", "raw"]}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


_COLLECTIONS_PER_DUMP = 32


_HEADER = "# 由 gongshi 根据内容模型自动生成，请勿手改 / generated from the content models by gongshi\n"


def config_yaml(config: dict[str, Any]) -> bytes:
    """The YAML of `config`, byte for byte `yaml.safe_dump` of the whole (tested), made fast.

    Nearly every node is a `fields` list, and one kind's list is the same for every
    association (thousands of collections at 10k documents): each distinct list is
    serialised once per indentation and spliced in where a placeholder scalar stood. The
    config holds no shared objects, so safe_dump writes no anchors the splicing could miss."""
    collections = config.get("collections")
    if not collections or list(config)[-1] != "collections":
        return (_HEADER + _dump(config)).encode()
    return b"".join(_yaml_chunks({k: v for k, v in config.items() if k != "collections"},
                                 (({}, [c]) for c in collections)))


def config_chunks(site: Site, env: dict[str, str] | None = None) -> Iterator[bytes]:
    """`config_yaml(cms_config(site, env))` in pieces, made a few collections at a time: the
    whole configuration (17 MB of YAML at 10k documents) is never held at once."""
    rest, groups, stand_in = _config_parts(site, env)
    if not site.associations:
        yield config_yaml({**rest, "collections": []})
        return
    yield from _yaml_chunks(rest, groups(), stand_in)


def _yaml_chunks(rest: dict[str, Any], groups: Iterable[tuple[dict[str, str], list[dict[str, Any]]]],
                 stand_in: list[dict[str, Any]] | None = None) -> Iterator[bytes]:
    """The YAML of `{**rest, "collections": [...]}` (at least one collection), in pieces.

    `groups`: (what the collections are made from: placeholder → value, the collections).
    `stand_in`: the collections of a group made from the placeholders themselves. Its text,
    made once, with the placeholders replaced is the text of any group whose collections
    are the stand-in's with the placeholders replaced and whose changed scalars PyYAML
    writes plain on one line (checked with PyYAML's own analysis); other groups are dumped."""
    blocks: dict[str, tuple[str, list[Any]]] = {}      # placeholder -> (json of fields, fields)

    by_id: dict[int, str] = {}

    def placeholder(fields: list[Any]) -> str:
        if id(fields) in by_id:          # the same list object again (cms_config shares them)
            return by_id[id(fields)]
        by_id[id(fields)] = _placeholder_of(fields)
        return by_id[id(fields)]

    def _placeholder_of(fields: list[Any]) -> str:
        key = json.dumps(fields, ensure_ascii=False, sort_keys=False, default=str)
        token = next((t for t, (k, _f) in blocks.items() if k == key), None)
        if token is None:
            token = f"GONGSHIFIELDSBLOCK{len(blocks):06d}"
            blocks[token] = (key, fields)
        return token

    def stub(item: Any) -> Any:
        if isinstance(item, dict):
            return {k: (placeholder(v) if k == "fields" and isinstance(v, list) and v else stub(v)) for k, v in item.items()}
        if isinstance(item, list):
            return [stub(v) for v in item]
        return item

    head = _dump(rest) if rest else ""          # an empty mapping would be written as "{}"
    yield (_HEADER + head + "collections:\n").encode()
    rendered: dict[tuple[str, int], str] = {}

    def splice(m: re.Match[str]) -> str:
        indent, token = len(m.group(1)), m.group(2)
        if (token, indent) not in rendered:
            # The block as the emitter writes it under a `fields:` key at this indentation:
            # nest it as deep in one-key mappings inside sequences, drop the wrapper lines.
            wrapped: Any = {"fields": blocks[token][1]}
            for _ in range(indent // 2 - 1):
                wrapped = {"w": [wrapped]}
            lines = _dump([wrapped]).splitlines(keepends=True)
            rendered[token, indent] = "".join(lines[indent // 2:])
        return f"{m.group(1)}fields:\n" + rendered[token, indent]

    def dumped(collections: list[dict[str, Any]]) -> str:
        text = _dump([stub(c) for c in collections])
        return re.sub(r"(?m)^( *)fields: (GONGSHIFIELDSBLOCK\d{6})\n", splice, text)

    template = dumped(stand_in) if stand_in else None
    # A block sequence is the concatenation of its items' blocks: dumped, spliced and encoded
    # a few collections at a time, no whole-file text is held in several copies (17 MB of
    # YAML at 10k documents, with a 100 MB peak when made in one piece).
    pending: list[dict[str, Any]] = []
    out: list[str] = []
    count = 0
    for values, collections in groups:
        if template is not None and stand_in is not None and _same_but_values(stand_in, collections, values):
            if pending:
                out.append(dumped(pending))
                pending = []
            out.append(_replace_values(template, values))
        else:
            pending += collections
        count += len(collections)
        if count >= _COLLECTIONS_PER_DUMP:
            if pending:
                out.append(dumped(pending))
                pending = []
            yield "".join(out).encode()
            out, count = [], 0
    if pending:
        out.append(dumped(pending))
    if out:
        yield "".join(out).encode()


_VALUE = re.compile(f"{_NAME}|{_BASE}|{_DIGEST}")


def _replace_values(text: str, values: dict[str, str]) -> str:
    return _VALUE.sub(lambda m: values[m.group(0)], text)


def _same_but_values(stand_in: Any, real: Any, values: dict[str, str]) -> bool:
    """True when `real` is `stand_in` with the placeholders replaced by `values`, field lists
    the same objects, and every scalar that changed one PyYAML writes as it is."""
    if isinstance(stand_in, dict):
        if not isinstance(real, dict) or list(stand_in) != list(real):
            return False
        return all((stand_in[key] is real[key]) if key == "fields" else _same_but_values(stand_in[key], real[key], values)
                   for key in stand_in)
    if isinstance(stand_in, list):
        return (isinstance(real, list) and len(stand_in) == len(real)
                and all(_same_but_values(a, b, values) for a, b in zip(stand_in, real)))
    if isinstance(stand_in, str) and isinstance(real, str) and _VALUE.search(stand_in):
        return (not _VALUE.search(real) and _replace_values(stand_in, values) == real
                and _written_as_is(stand_in) and _written_as_is(real))
    return type(stand_in) is type(real) and stand_in == real


_PLAIN_ANALYSER = Emitter(io.StringIO(), allow_unicode=True)
_RESOLVER = Resolver()
_DEEPEST_VALUE_COLUMN = 24       # "    identifier_field: " is the deepest key a collection has


@lru_cache(maxsize=65536)
def _written_as_is(value: str) -> bool:
    """PyYAML (safe_dump, width 120) writes `value`, as a mapping value in the collections,
    plain and on one line: its own analysis allows a plain block scalar, it reads back as a
    string, and it ends before the width wherever it starts."""
    if _DEEPEST_VALUE_COLUMN + len(value) > 120:
        return False
    if not _PLAIN_FOR_CERTAIN.fullmatch(value):
        analysis = _PLAIN_ANALYSER.analyze_scalar(value)
        if analysis.empty or analysis.multiline or not analysis.allow_block_plain:
            return False
    return _RESOLVER.resolve(ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"


# Names, slugs, paths and digests: no space, break, control or indicator character, not
# starting with "-" or ".": PyYAML's analysis (analyze_scalar, allow_unicode) allows these
# plain on one line without asking it, a tenth of its cost.
_PLAIN_FOR_CERTAIN = re.compile(r"[A-Za-z0-9_\u4e00-\u9fff][A-Za-z0-9_./\-\u4e00-\u9fff]*")


# --- the editor's script ------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where tools are installed once (generator.cache.tools_dir): one npm install serves every build."""
    from .cache import tools_dir
    return tools_dir()


def decap_dist(package: str = DECAP_PACKAGE) -> Path | None:
    """The installed `dist/` of Decap CMS, installing it with npm on first use; None if impossible."""
    prefix = cache_dir() / "npm" / package.replace("@", "-").replace("/", "-")
    dist = prefix / "node_modules" / "decap-cms" / "dist"
    if (dist / "decap-cms.js").is_file():
        return dist
    npm = shutil.which("npm")
    if npm is None:
        return None
    prefix.mkdir(parents=True, exist_ok=True)
    with open(prefix / ".lock", "w") as lock:  # parallel builds share one install
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (dist / "decap-cms.js").is_file():
            done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                                   "--no-save", "--loglevel=error", package],
                                  capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                print(f"警告：npm 安装 {package} 失败 / npm install failed:\n{done.stderr[-2000:]}", file=sys.stderr)
    return dist if (dist / "decap-cms.js").is_file() else None


@lru_cache(maxsize=4)
def _bundle(dist: Path, mtime: float) -> tuple[str, tuple[tuple[str, Path], ...]]:
    """(fingerprinted folder, files): the main script, its lazy chunks and wasm, no source maps.
    The files are read when written, not held (6 MiB every render worker would start with)."""
    files = sorted(p for p in dist.iterdir() if p.is_file() and (p.name.endswith("decap-cms.js") or p.suffix == ".wasm"))
    digest = hashlib.sha256()
    for p in files:
        with open(p, "rb") as f:
            digest.update(p.name.encode() + b"\0" + hashlib.file_digest(f, "sha256").digest())
    return f"admin/decap-cms/{digest.hexdigest()[:12]}", tuple((p.name, p) for p in files)


def admin_page(site: Site, script: str) -> bytes:
    title = f"内容管理 — {site.config.title}"
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{_escape(title)}</title>
<link href="/admin/config.yml" type="text/yaml" rel="cms-config-url">
</head>
<body>
<noscript>内容管理需要启用 JavaScript。也可以直接编辑仓库中的文件（见 docs/authoring.md）。</noscript>
<script src="/{script}"></script>
</body>
</html>
""".encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_warned = False


CONFIG_PATH = "admin/config.yml"


def config_artifact(site: Site, sources: tuple[str, ...] = ()) -> Artifact:
    """The editor's configuration (17 MB of YAML at 10k documents), made a piece at a time
    when it is written; `sources`: what its build key holds (none: never kept from a build)."""
    return Artifact(CONFIG_PATH, produce=lambda: b"".join(config_chunks(site)), sources=sources,
                    stream=lambda: config_chunks(site))


def cms_artifacts(site: Site, evaluation: Evaluation, theme: Theme) -> list[Artifact]:
    """admin/ with the editor, or nothing (and one warning) when npm cannot provide it."""
    global _warned
    dist = decap_dist()
    if dist is None:
        if not _warned:
            print("警告：未能安装 Decap CMS（需要 npm），本次不生成 /admin/ 网页编辑器。"
                  " / warning: Decap CMS unavailable (npm needed); /admin/ skipped.", file=sys.stderr)
            _warned = True
        return []
    folder, files = _bundle(dist, (dist / "decap-cms.js").stat().st_mtime)
    sources = tuple(sorted(a.source.raw.content_hash for a in site.associations))
    # Made when written, not when listed: a rebuild that keeps the profiles, the content
    # folder and the editor's environment (and, through the build key, code and base URL)
    # reuses the previous file instead of serialising thousands of collections again.
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("GONGSHI_CMS_") or k == "GITHUB_REPOSITORY"))
    config_key = hashlib.sha256(repr((str(site.root.resolve()), str(repo_root(site.root)), env, sources)).encode()).hexdigest()
    arts = [
        config_artifact(site, (COMPLETE_SOURCES, config_key)),
        Artifact("admin/index.html", produce=lambda: admin_page(site, f"{folder}/decap-cms.js"), sources=sources),
    ]
    for name, file in files:
        # The editor's files are their bytes (the folder is named by their digest), whatever the content.
        arts.append(Artifact(f"{folder}/{name}", produce=file.read_bytes, sources=(COMPLETE_SOURCES, folder)))
    return arts


__all__ = ["cms_config", "cms_artifacts", "config_artifact", "CONFIG_PATH", "model_fields", "widget", "config_yaml", "decap_dist", "DECAP_PACKAGE"]


if __name__ == "__main__":  # pragma: no cover - debugging aid: print the configuration of a content folder
    from . import pipeline
    prepared = pipeline.prepare(Path(sys.argv[1] if len(sys.argv) > 1 else "content"), pipeline.default_as_of())
    assert prepared.site is not None
    print(json.dumps(cms_config(prepared.site), ensure_ascii=False, indent=1))
