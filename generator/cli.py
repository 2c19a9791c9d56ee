"""The command line: parse options, call the pipeline, print. Nothing else lives here."""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import json
import sys
from pathlib import Path

import click

from . import pipeline
from .calendar import UnknownYearError, build_calendar
from .diagnostics import errors, format_github, format_json, format_text

CONTENT = click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
                       show_default=True, help="内容目录 / the content folder")
LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                    help="消息语言 / language of messages")


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return pipeline.default_as_of()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} 不是 YYYY-MM-DD 日期 / not a YYYY-MM-DD date") from None


AS_OF = click.option("--as-of", "as_of", default=None, metavar="DATE", help="评估日期 / evaluate as of this date (default: today or SOURCE_DATE_EPOCH)")


def _require_dir(content_dir: Path) -> None:
    if not content_dir.is_dir():
        raise click.UsageError(f"内容目录不存在 / content folder not found: {content_dir}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gongshi")
def main() -> None:
    """gongshi（公示）：行业协会商会自律信息公示网站生成器。"""
    _no_collection_at_exit()


def _no_collection_at_exit() -> None:
    """The process ends after its command: the collection Python runs at exit would walk,
    and free one by one, everything a build or check left (~0.1 s at 10k documents); the
    system takes the memory back at once. (Exit handlers, flushes and closes still run.)"""
    global _exit_registered
    if not _exit_registered:
        atexit.register(gc.freeze)          # exit handlers run before that last collection
        _exit_registered = True


_exit_registered = False


@main.command()
@CONTENT
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("public"), show_default=True)
@AS_OF
@click.option("--base-url", default=None, help="网站地址，覆盖 site.yaml / overrides site.yaml's base_url")
@LANG
def build(content_dir: Path, out_dir: Path, as_of: str | None, base_url: str | None, lang: str) -> None:
    """校验内容并生成整个网站 / validate, then write the whole site."""
    _require_dir(content_dir)
    result = pipeline.build(content_dir, out_dir, _as_of(as_of), base_url)
    if result.diagnostics:
        click.echo(format_text(result.diagnostics, lang), err=True)  # type: ignore[arg-type]
    if not result.ok:
        n = len(errors(result.diagnostics))
        click.echo(f"构建失败：{n} 个错误，{out_dir} 保持不变。/ Build failed: {n} errors; {out_dir} left untouched.", err=True)
        sys.exit(1)
    assert result.stats is not None
    click.echo(f"已生成 {result.stats.files} 个文件（{result.stats.bytes / 1024:.0f} KiB，{result.stats.reused} 个未变）→ {out_dir}")


@main.command()
@CONTENT
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@LANG
def check(content_dir: Path, fmt: str, lang: str) -> None:
    """只校验内容 / validate only. Exit 0 when clean (warnings allowed), 1 on errors."""
    _require_dir(content_dir)
    content = pipeline.check(content_dir)
    ds = content.diagnostics
    if fmt == "json":
        click.echo(format_json(ds, lang))  # type: ignore[arg-type]
    elif fmt == "github":
        if ds:
            click.echo(format_github(ds, lang))  # type: ignore[arg-type]
    else:
        if ds:
            click.echo(format_text(ds, lang))  # type: ignore[arg-type]
        n_err = len(errors(ds))
        click.echo(f"{len(content.profiles)} 家协会，{len(content.documents)} 个文件：{n_err} 个错误，{len(ds) - n_err} 个警告。"
                   if lang == "zh" else
                   f"{len(content.profiles)} associations, {len(content.documents)} documents: {n_err} errors, {len(ds) - n_err} warnings.")
    sys.exit(1 if errors(ds) else 0)


@main.command()
@click.argument("date")
@click.option("--working-days", "n", type=click.IntRange(0, 365), default=7, show_default=True)
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"), show_default=True)
def deadline(date: str, n: int, content_dir: Path) -> None:
    """DATE 之后第 N 个工作日（不含当天）/ the last day of N working days after DATE."""
    start = _as_of(date)
    years = ()
    if (content_dir / "calendar").is_dir():
        content = pipeline.check(content_dir)
        years = content.calendar_years
    try:
        click.echo(build_calendar(years).add_working_days(start, n).isoformat())
    except UnknownYearError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("schemas"), show_default=True)
def schema(out_dir: Path) -> None:
    """写出每种内容的 JSON Schema / write the JSON Schema of every kind."""
    from .schemas import write_schemas
    for path in write_schemas(out_dir):
        click.echo(path)


@main.command()
@CONTENT
@AS_OF
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def compliance(content_dir: Path, as_of: str | None, fmt: str) -> None:
    """监管视图：每家协会每项义务的状态 / the regulator's view of every obligation."""
    from .compliance import format_compliance
    _require_dir(content_dir)
    prepared = pipeline.prepare(content_dir, _as_of(as_of))
    if not prepared.ok or prepared.evaluation is None or prepared.site is None:
        click.echo(format_text(prepared.diagnostics), err=True)
        sys.exit(1)
    click.echo(format_compliance(prepared.site, prepared.evaluation, fmt), nl=False)


@main.command()
@click.argument("query")
@CONTENT
@click.option("--kind", default=None, help="文档类型 / kind, e.g. sanction")
@click.option("--association", default=None, help="协会目录名 / association slug")
@click.option("--year", type=int, default=None)
@click.option("--measure", default=None, help="惩戒措施 / sanction measure code")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@AS_OF
def search(query: str, content_dir: Path, kind: str | None, association: str | None, year: int | None,
           measure: str | None, limit: int, fmt: str, as_of: str | None) -> None:
    """全文搜索（与网站搜索结果一致）/ full-text search, same results as the site."""
    from .searching import cli_search
    _require_dir(content_dir)
    hits = cli_search(content_dir, _as_of(as_of), query, kind=kind, association=association, year=year,
                      measure=measure, limit=limit)
    if fmt == "json":
        click.echo(json.dumps({"query": query, "hits": hits}, ensure_ascii=False, indent=2))
    else:
        for i, h in enumerate(hits, 1):
            click.echo(f"{i}. {h['title']}  [{h['kind']}] {h['date']}\n   {h['url']}")
        if not hits:
            click.echo("没有找到结果 / no results")


@main.command()
@click.argument("kind")
@click.option("--association", "association", default=None, help="协会目录名 / association slug")
@click.option("--title", default=None)
@CONTENT
def new(kind: str, association: str | None, title: str | None, content_dir: Path) -> None:
    """新建一个待填写的文档 / write a new document to fill in (KIND or 'association')."""
    from .scaffold import new_document
    try:
        path = new_document(content_dir, kind, association, title, today=pipeline.default_as_of())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(path)


@main.command()
@CONTENT
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(content_dir: Path, port: int, host: str) -> None:
    """本地预览，修改后自动刷新 / preview with live reload."""
    from .serve import serve as run_server
    _require_dir(content_dir)
    run_server(content_dir, host=host, port=port)


@main.command()
@click.argument("target")
@CONTENT
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(target: str, content_dir: Path, fmt: str) -> None:
    """核对已发布的网站与仓库是否一致 / check a deployed copy (URL or folder) against the repository."""
    from .verify import verify_site
    differences = verify_site(target, content_dir)
    if fmt == "json":
        click.echo(json.dumps({"target": target, "differences": differences}, ensure_ascii=False, indent=2))
    else:
        for d in differences:
            click.echo(d)
        click.echo("一致 / identical" if not differences else f"{len(differences)} 处不一致 / differences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
