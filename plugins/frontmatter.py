"""YAML front matter: split it from the body and validate it against the project's schema.

Errors name the file and the line of the offending key (or of the front matter itself).
"""

from __future__ import annotations

import datetime as _dt
import re

import yaml

from .errors import BuildError, Problem

STATUSES = ("draft", "published")
REQUEST_RE = re.compile(r"^R(0[1-9]|1[0-9]|2[0-6])$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# field -> (required, kind); kinds: str, date, list[str], authors, text
POST_SCHEMA = {
    "title": (True, "str"),
    "date": (True, "date"),
    "updated": (False, "date"),
    "authors": (False, "authors"),
    "summary": (False, "str"),
    "tags": (False, "list[str]"),
    "status": (False, "status"),
    "request": (False, "request"),
    "abstract": (False, "str"),
    "keywords": (False, "list[str]"),
    "slug": (False, "slug"),
    "bibliography": (False, "list[str]"),
    "toc": (False, "bool"),
}


def split(text: str):
    """Return (yaml_text, body, body_first_line). Front matter must open on line 1 with '---'."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return "\n".join(lines[1:]), "", len(lines) + 1  # unterminated; reported by parse()


# libyaml's parser when PyYAML was built with it (ten times faster), else the pure-Python one.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """SafeLoader that leaves dates as text, so a bad date is reported by the schema with its line."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"] for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _compose_and_load(yml: str):
    """The node tree (for key lines) and the data, from one parse."""
    loader = _Loader(yml)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _key_lines(node) -> dict:
    out = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                out[k.value] = (k.start_mark.line, v)
    return out


def parse(text: str, path: str, *, line_offset: int = 0) -> tuple[dict, str, int]:
    """Parse and validate front matter. Returns (meta, body, body_first_line)."""
    if not text.strip():
        raise BuildError(Problem(path, 1, 0, "file is empty: a post needs YAML front matter (title, date) and a body"))
    yml, body, first = split(text)
    if yml is None:
        raise BuildError(
            Problem(path, 1 + line_offset, 0, "no YAML front matter: start the file with a '---' line, then title: and date:, then '---'")
        )
    if first > len(text.split("\n")) and not re.search(r"^(---|\.\.\.)\s*$", text[3:], re.M):
        raise BuildError(Problem(path, 1 + line_offset, 0, "front matter is not closed: add a '---' line after it"))
    try:
        node, data = _compose_and_load(yml)
    except RecursionError:
        raise BuildError(Problem(path, 1 + line_offset, 0, "front matter nests too deeply")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 2) if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BuildError(Problem(path, line + line_offset, 0, f"malformed YAML front matter: {problem}")) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BuildError(Problem(path, 2 + line_offset, 0, "front matter must be a YAML mapping of 'key: value' lines"))
    lines = {k: ln + 2 + line_offset for k, (ln, _) in _key_lines(node).items()}
    meta, problems = validate(data, path, lines, 1 + line_offset)
    if problems:
        raise BuildError(problems)
    return meta, body, first + line_offset


def _fmt_date(value):
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        return _dt.date.fromisoformat(value.strip())
    raise ValueError


def validate(data: dict, path: str, lines: dict, fm_line: int):
    problems: list[Problem] = []
    meta: dict = {}

    def bad(key, msg):
        problems.append(Problem(path, lines.get(key, fm_line), 0, msg))

    for key in data:
        if key not in POST_SCHEMA:
            close = [k for k in POST_SCHEMA if k[:3] == str(key)[:3]]
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            bad(key, f"unknown front-matter field '{key}'{hint}; allowed: {', '.join(POST_SCHEMA)}")
    for key, (required, kind) in POST_SCHEMA.items():
        if key not in data or data[key] is None or data[key] == "":
            if required:
                problems.append(Problem(path, fm_line, 0, f"front matter is missing '{key}': add '{key}: …'"))
            continue
        value = data[key]
        if kind == "str":
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                bad(key, f"'{key}' must be text")
                continue
            meta[key] = str(value).strip()
        elif kind == "date":
            try:
                meta[key] = _fmt_date(value)
            except (ValueError, TypeError):
                bad(key, f"'{key}' must be a date written YYYY-MM-DD (got {value!r})")
        elif kind == "list[str]":
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
                bad(key, f"'{key}' must be a list of words, e.g. [{key[:-1]} one, {key[:-1]} two]")
                continue
            meta[key] = [str(v) for v in value]
        elif kind == "status":
            if value not in STATUSES:
                bad(key, f"'status' must be 'draft' or 'published' (got {value!r})")
            else:
                meta[key] = value
        elif kind == "request":
            if not isinstance(value, str) or not REQUEST_RE.match(value):
                bad(key, f"'request' must be an agenda id R01 to R26 (got {value!r})")
            else:
                meta[key] = value
        elif kind == "slug":
            if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
                bad(key, "'slug' must be lower-case letters, digits and '-'")
            else:
                meta[key] = value
        elif kind == "bool":
            if not isinstance(value, bool):
                bad(key, f"'{key}' must be true or false")
            else:
                meta[key] = value
        elif kind == "authors":
            authors = []
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, str):
                    authors.append({"name": item})
                elif isinstance(item, dict) and isinstance(item.get("name"), str):
                    authors.append({k: str(v) for k, v in item.items() if v is not None})
                else:
                    bad(key, "each author is a name, or a mapping with name:, affiliation: and email:")
                    break
            meta[key] = authors
    meta.setdefault("status", "published")
    meta.setdefault("authors", [{"name": "Alignment Concepts"}])
    meta.setdefault("tags", [])
    return meta, problems


ARXIV_ABSTRACT_CHARS = 1920  # arXiv's submission form refuses longer abstracts
ARXIV_TITLE_CHARS = 240


def arxiv_limits(meta: dict, text: str, path: str) -> list[Problem]:
    """Warnings for a paper whose title or abstract will not fit arXiv's submission form."""
    out = []
    for key, limit in (("abstract", ARXIV_ABSTRACT_CHARS), ("title", ARXIV_TITLE_CHARS)):
        value = " ".join(str(meta.get(key) or "").split())
        if len(value) > limit:
            m = re.search(rf"^{key}\s*:", text, re.M)
            line = text.count("\n", 0, m.start()) + 1 if m else 1
            out.append(
                Problem(
                    path,
                    line,
                    0,
                    f"the {key} has {len(value)} characters; arXiv's submission form takes at most {limit}: shorten it",
                    "warning",
                    "papers",
                )
            )
    return out
