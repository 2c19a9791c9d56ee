"""Atom feeds (RFC 4287): the whole site, each association, and the sanctions in force.

Ids are the canonical URLs (they never change when a site is rebuilt or moved between
hosts with the same base URL). Every timestamp comes from the documents' own dates — never
the build time — so the same content gives byte-identical feeds. Dates carry China's
offset (+08:00): a decision dated 2025-04-25 happened on that day in China.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

from .assemble import Association, Site
from .evaluate import Evaluation
from .present import display_name
from .validate import ValidDocument
from .views import attested_date, latest, public_documents

FEED_ENTRIES = 50


# xml.sax.saxutils' escape and quoteattr, to the character: importing that module imports
# urllib.request, http.client and email with it (~6 ms of every build's start).
def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


# What urllib.parse.quote(path, safe="/") leaves as it is; the rest is percent-encoded UTF-8.
_UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9_.~/-]+")


def _percent_encoded(run: re.Match[str]) -> str:
    return "%" + run.group().encode("utf-8").hex("%").upper()


def quote_path(path: str) -> str:
    """`urllib.parse.quote(path, safe="/")`, a run of unsafe characters at a time instead of
    a Python call per byte (the sitemap's 20,000 URLs, their Chinese slugs included)."""
    return _UNSAFE_IN_PATH.sub(_percent_encoded, path)


_TZ = "+08:00"


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00{_TZ}"


def entry_updated(doc: ValidDocument) -> dt.date | None:
    """The latest date the document itself records: its event, publication or amendments."""
    m = doc.model
    dates = [d for d in (m.event_date(), m.published_on, *(a.date for a in m.amendments)) if d is not None]
    return max(dates) if dates else None


def _published(doc: ValidDocument, site: Site, evaluation: Evaluation) -> dt.date | None:
    return attested_date(doc, site, evaluation) or doc.model.published_on or doc.model.event_date()


def _latest(doc: ValidDocument, published: dt.date | None) -> dt.date | None:
    """The latest of the document's own dates and its publication date (None: it has none)."""
    latest = entry_updated(doc)
    if published is not None and (latest is None or published > latest):
        return published
    return latest


def _summary(doc: ValidDocument, site: Site) -> str:
    m = doc.model
    parts: list[str] = []
    if doc.kind.name == "sanction":
        parts.append(f"{m.measure.zh}：{display_name(m.subject, site.config.mask_individuals)}（{m.decision_number}）")
    elif hasattr(m, "subject"):
        parts.append(display_name(m.subject, site.config.mask_individuals))
    if m.summary:
        parts.append(m.summary)
    return "。".join(parts) or doc.kind.label_zh


def _entry(doc: ValidDocument, site: Site, published: dt.date | None, latest: dt.date | None) -> str:
    """One <entry>; `published` and `latest` as `_published` and `_latest` give them."""
    base = site.config.base_url
    assoc = site.by_slug[doc.association]
    url = base + doc.url
    kind = doc.kind
    return "".join((
        f"<entry>\n<id>{escape(url)}</id>\n<title>{escape(doc.model.title)}</title>\n",
        f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(url)}/>\n",
        f"<updated>{_stamp(latest or assoc.profile.updated_on)}</updated>\n",
        f"<published>{_stamp(published)}</published>\n" if published else "",
        f"<author><name>{escape(assoc.name)}</name><uri>{escape(base + assoc.url)}</uri></author>\n",
        f"<category term={quoteattr(kind.name)} label={quoteattr(kind.label_zh)}/>\n",
        f"<summary type=\"text\">{escape(_summary(doc, site))}</summary>\n</entry>",
    ))


def feed_entries(docs: Iterable[ValidDocument]) -> list[ValidDocument]:
    """The documents a feed of `docs` shows: the newest ones of the kinds feeds carry."""
    return latest((d for d in docs if d.kind.in_feeds), FEED_ENTRIES)


def atom(site: Site, evaluation: Evaluation, *, feed_path: str, page_path: str, title: str,
         docs: Iterable[ValidDocument], fallback_updated: dt.date) -> bytes:
    base = site.config.base_url
    entries = feed_entries(docs)
    # Each entry's dates once: the feed's <updated> is the latest of them.
    published = [_published(d, site, evaluation) for d in entries]
    latest = [_latest(d, p) for d, p in zip(entries, published)]
    updated = max((day or fallback_updated for day in latest), default=fallback_updated)
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<id>{escape(base + page_path)}</id>",
        f"<title>{escape(title)}</title>",
        f"<link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(base + feed_path)}/>",
        f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(base + page_path)}/>",
        f"<updated>{_stamp(updated)}</updated>",
        f"<author><name>{escape(site.config.title)}</name></author>",
        "<generator>gongshi</generator>",
    ]
    body = [_entry(d, site, p, day) for d, p, day in zip(entries, published, latest)]
    return ("\n".join(head + body + ["</feed>"]) + "\n").encode("utf-8")


def _profiles_updated(site: Site) -> dt.date:
    # An empty feed still needs a deterministic <updated>: the newest profile date.
    return max((a.profile.updated_on for a in site.associations), default=dt.date(1970, 1, 1))


def site_feed_documents(site: Site, evaluation: Evaluation) -> list[ValidDocument]:
    return public_documents(site, evaluation)


def sanctions_feed_documents(site: Site, evaluation: Evaluation) -> list[ValidDocument]:
    return [d for d in public_documents(site, evaluation) if d.kind.name == "sanction"]


def site_feed(site: Site, evaluation: Evaluation) -> bytes:
    return atom(site, evaluation, feed_path="/feed.xml", page_path="/", title=site.config.title,
                docs=site_feed_documents(site, evaluation), fallback_updated=_profiles_updated(site))


def sanctions_feed(site: Site, evaluation: Evaluation) -> bytes:
    return atom(site, evaluation, feed_path="/sanctions/feed.xml", page_path="/sanctions/",
                title=f"行业惩戒 · {site.config.title}", docs=sanctions_feed_documents(site, evaluation),
                fallback_updated=_profiles_updated(site))


def association_feed(site: Site, evaluation: Evaluation, assoc: Association) -> bytes:
    return atom(site, evaluation, feed_path=assoc.url + "feed.xml", page_path=assoc.url,
                title=f"{assoc.name} · {site.config.title}", docs=public_documents(site, evaluation, assoc),
                fallback_updated=assoc.profile.updated_on)
