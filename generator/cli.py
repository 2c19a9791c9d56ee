"""The command line: parse options, call the pipeline, print. Nothing else lives here."""

from __future__ import annotations

import datetime as dt
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


if __name__ == "__main__":  # pragma: no cover
    main()
