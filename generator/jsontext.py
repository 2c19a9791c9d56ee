"""`json.dumps(value, ensure_ascii=False, indent=N)`, the same text, several times faster.

With an indent the standard library falls back to its pure-Python encoder (a generator per
nesting level); the manifest and the open data files are 20,000-entry documents written
on every build. This writes the same layout directly, with the C string escaper. Only
JSON's own types plus tuples (as lists); anything else raises TypeError like json.dumps.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any, Mapping, Sequence

_float_repr = float.__repr__


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return json.dumps(value)        # nan, inf and -0.0 exactly as json writes them
    return None


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, (bool, type(None))) or isinstance(key, (int, float)):
        return encode_basestring(_scalar(key) if not isinstance(key, float) else json.dumps(key))  # type: ignore[arg-type]
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def dumps_indented(value: Any, indent: int = 1) -> str:
    """The text of `json.dumps(value, ensure_ascii=False, indent=indent)` (sort_keys off)."""
    out: list[str] = []
    _write(value, out, "\n", " " * indent)
    return "".join(out)


class _Encoded:
    """Collects the text's pieces as UTF-8, a thousand at a time (a stand-in for `out`)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.pending: list[str] = []

    def append(self, piece: str) -> None:
        self.pending.append(piece)
        if len(self.pending) >= 1024:
            self.flush()

    def flush(self) -> None:
        self.data += "".join(self.pending).encode("utf-8")
        self.pending.clear()


def dumps_indented_bytes(value: Any, indent: int = 1, end: str = "") -> bytes:
    """`(dumps_indented(value, indent) + end).encode("utf-8")`, without the whole text as a
    string (the manifest at 10k documents: 3.5 MB of bytes, 7 MB as text, copied twice)."""
    out = _Encoded()
    _write(value, out, "\n", " " * indent)     # type: ignore[arg-type]
    out.append(end)
    out.flush()
    return bytes(out.data)


def _write(value: Any, out: list[str], newline: str, step: str) -> None:
    text = _scalar(value)
    if text is not None:
        out.append(text)
        return
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + step
        if all(type(k) is str and type(v) is str for k, v in value.items()):   # the manifest's maps
            # A piece per entry, not one string: the manifest's map of 20,000 files is megabytes
            # (two bytes a character once a Chinese path is in it), and `dumps_indented_bytes`
            # encodes piece by piece instead of copying the whole text twice more.
            out.append("{")
            first = True
            for k, v in value.items():
                out.append(("" if first else ",") + inner + encode_basestring(k) + ": " + encode_basestring(v))
                first = False
            out.append(newline + "}")
            return
        first = True
        for k, v in value.items():
            out.append(("{" if first else ",") + inner + _key(k) + ": ")
            first = False
            text = _scalar(v)
            if text is not None:
                out.append(text)
            else:
                _write(v, out, inner, step)
        out.append(newline + "}")
        return
    if isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + step
        first = True
        for v in value:
            out.append(("[" if first else ",") + inner)
            first = False
            text = _scalar(v)
            if text is not None:
                out.append(text)
            else:
                _write(v, out, inner, step)
        out.append(newline + "]")
        return
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def write_value(value: Any, out: list[str], newline: str, step: str) -> None:
    """Append the text of `value` as `dumps_indented` writes it where its lines start with
    `newline` (a line break and the indentation of its level) and indent by `step`."""
    _write(value, out, newline, step)


# The C encoder (no indent) writes a list of scalars at C speed; with this separator between
# the items its text splits back into each item's text: the encoder never writes a control
# character outside a string and escapes every one inside a string (as `\u0000`).
_ITEM_SEPARATOR = "\x00"
_encode_items = json.JSONEncoder(ensure_ascii=False, separators=(_ITEM_SEPARATOR, ": ")).encode
_NESTED = (dict, list, tuple)


def records_text(records: Sequence[Mapping[str, Any]], names: Sequence[str], newline: str, step: str) -> list[str]:
    """The text of each `{name: record.get(name) for name in names}` as `write_value` writes
    it at `newline`, `step`: the open data files' 20,000 flat records, their scalar values
    encoded in one call of the C encoder instead of a Python call each."""
    if not names:
        return ["{}"] * len(records)
    inner = newline + step
    # One %-format per record: its keys, as `_write` writes them, around a slot per value.
    record_format = "{" + ",".join(inner + _key(name).replace("%", "%%") + ": %s" for name in names) + newline + "}"
    values: list[Any] = []
    for record in records:
        values += map(record.get, names)
    if not values:
        return []
    nested: dict[int, str] = {}
    if any(issubclass(kind, _NESTED) for kind in set(map(type, values))):
        # Lists and objects are laid out over lines: written the slow way, in their slots.
        for i, value in enumerate(values):
            if isinstance(value, _NESTED):
                out: list[str] = []
                _write(value, out, inner, step)
                nested[i] = "".join(out)
                values[i] = None
    texts = _encode_items(values)[1:-1].split(_ITEM_SEPARATOR)
    for i, text in nested.items():
        texts[i] = text
    n = len(names)
    return [record_format % tuple(texts[start:start + n]) for start in range(0, len(texts), n)]
