"""What `serve` keeps warm between edits: the site model, the list of outputs, and the pages
rendered so far. An edit costs what it touches, and a page is rendered when it is asked for.

After an edit inside one association's folder (the watcher says which files changed):

1. that folder alone is read again (unchanged files keep their parse), its files validated
   (unchanged ones keep their result) and its cross-file checks run again (`folders`);
2. its `Association` is made again, the others are kept; only it is evaluated again (no
   obligation rule looks at another association's documents, `generator.evaluate`) (`session`);
3. the outputs are listed again: its pages (`render.association_pages`) and the site-wide
   ones (home, directory, lists, feeds, open data); the others' pages are kept (`listing`);
4. rendered pages that may show the edit are forgotten: its association's pages, every
   site-wide output, the sitemap and the manifest. When the set of output paths changed
   (a page appears or goes), every page is forgotten: any page may link to it.

Nothing is rendered then: `Session.page(path)` renders what the browser asks for and keeps it.
Outputs that are costly to even list (the compliance view: it evaluates the matrix; search:
it exports the index) are listed when one of their files is asked for, the sitemap and the
manifest when they are asked for (the manifest hashes every other output: it renders them).

An edit anywhere else (site.yaml, calendar/, the site's theme), or an unknown edit, reads
everything again (`rebuild(None)`), as does a new commit in the content's repository (`edits`).

Correct only if a page under /associations/<slug>/ shows that association's files alone
(and site-wide facts that every edit invalidates anyway): the same contract the incremental
build relies on (`generator.incremental.BuildState.start`). tests/live check every served
file against a clean build after chains of edits.

The modules: `edits` (which folders an edit touches; git's view after it), `folders` (the
content held and read folder by folder), `listing` (the outputs, listed piecewise, and what an
edit leaves stale), `session` (the model made again, and the pages rendered on request).
"""

from .session import Rebuilt, Session

__all__ = ["Session", "Rebuilt"]
