"""A small, dependency-free minifier for the search client: comments and layout out,
nothing renamed.

search.js is part of every cold query (the benchmark's fixed cost), and about half of
its readable source is comments and indentation. The readable source is
generator/search/client.js; themes/default/static/search.js is this module's output,
regenerated with

    python -m generator.search.minify

and a test fails when the two drift apart.

The tokenizer knows exactly what the client's source needs: strings ('…', "…"),
regular-expression literals (after an operator, an opening bracket or a keyword such as
``return``), comments, numbers, identifiers and punctuation. Template literals are
refused rather than half-handled. Newlines are kept wherever a statement could end, so
automatic semicolon insertion reads the output as it read the source.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(__file__).resolve().parent / "client.js"
TARGET = ROOT / "themes" / "default" / "static" / "search.js"
HEADER = "/* gongshi search: minified from generator/search/client.js (python -m generator.search.minify) */\n"

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n\f\v\u00a0\ufeff]+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<word>[A-Za-z0-9_$.]*[A-Za-z0-9_$])
  | (?P<punct>>>>=?|===|!==|\*\*=?|<<=?|>>=?|&&=?|\|\|=?|\?\?=?|=>|\+\+|--|[-+*%&|^!=<>]=?|[{}()\[\];,?:~.])
  | (?P<slash>/)
  | (?P<template>`)
""", re.X | re.S)
# After these, a slash starts a regular expression, not a division.
_REGEX_AFTER_WORDS = {"return", "typeof", "case", "do", "else", "in", "instanceof", "new",
                      "void", "delete", "throw", "yield", "await"}
_REGEX = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
# A newline between two tokens can be dropped when the previous one cannot end a
# statement, or the next one cannot start one.
_NO_END = {"{", "(", "[", ",", ";", ":", "?", "=", "&&", "||", "=>", "==", "===", "!=", "!==",
           "+=", "-=", "*=", "/=", "<", ">", "<=", ">=", "*", "%"}
_NO_START = {"}", ")", "]", ",", ";", ":", "?", ".", "&&", "||", "==", "===", "!=", "!==", "=",
             "*", "%", "<", ">", "<=", ">=", "=>"}


_IDENT = re.compile(r"[A-Za-z0-9_$]")


def _is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] in "_$" or token[-1].isalnum())


def tokens(source: str) -> list[tuple[str, str]]:
    """(kind, text) pairs, kind one of space (with "\\n" when it held a newline), comment,
    string, regex, word, punct."""
    out: list[tuple[str, str]] = []
    i = 0
    previous = ""  # the last significant token
    while i < len(source):
        m = _TOKEN.match(source, i)
        if not m:
            raise ValueError(f"cannot tokenise at {source[i:i + 30]!r}")
        kind, text = m.lastgroup or "", m.group()
        if kind == "template":
            raise ValueError("template literals are not supported: use '…' + …")
        if kind == "slash" or (kind == "punct" and text == "/="):
            if not previous or previous in _REGEX_AFTER_WORDS or not (
                    _is_word(previous) or previous in (")", "]", "}")):
                r = _REGEX.match(source, i)
                if not r:
                    raise ValueError(f"unterminated regular expression at {source[i:i + 30]!r}")
                kind, text = "regex", r.group()
            else:
                kind, text = "punct", "/=" if source.startswith("/=", i) else "/"
        i += len(text)
        if kind == "space":
            text = "\n" if "\n" in text else " "
        elif kind != "comment":
            previous = text
        out.append((kind, text))
    return out


def minify(source: str) -> str:
    significant: list[tuple[str, str, bool]] = []  # kind, text, newline before
    newline = False
    for kind, text in tokens(source):
        if kind == "space":
            newline = newline or text == "\n"
        elif kind == "comment":
            newline = newline or (text.startswith("//") or "\n" in text)
        else:
            significant.append((kind, text, newline))
            newline = False
    out: list[str] = []
    last = ""
    for kind, text, newline_before in significant:
        if out:
            if newline_before and last not in _NO_END and text not in _NO_START \
                    and not text.startswith("."):
                out.append("\n")
            elif _IDENT.match(last[-1]) and _IDENT.match(text[0]):
                out.append(" ")  # two words (or a number and a word) stay apart
            elif last[-1] in "+-/" and text[0] == last[-1]:
                out.append(" ")  # a + +b, a - -b, a / /re/ must not fuse
        out.append(text)
        last = text
    return "".join(out) + "\n"


def build() -> str:
    return HEADER + minify(SOURCE.read_text("utf-8"))


def main() -> None:
    TARGET.write_text(build(), "utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(TARGET.read_bytes())} bytes "
          f"(source {len(SOURCE.read_bytes())})", file=sys.stderr)


if __name__ == "__main__":
    main()
