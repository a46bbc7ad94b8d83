"""Skip inline patterns that cannot match: same output as Python-Markdown, a third less time.

Python-Markdown's inline pass tries every inline pattern (about 40 with our extensions, smarty's
quotes and pymdownx's symbols included) on every text run, each try costing a few microseconds of
Python before the regular expression even starts. Most patterns need a particular character that
most text runs lack (``$``, ``@``, ``[``, a backtick, a quote...). ``install`` reads each pattern's
regular expression once, works out a set of characters of which every match must contain one (the
rarest required character class, found by walking the expression's parse tree; patterns where that cannot
be found always run), and makes the inline processors skip a pattern when its text has none of them.
Skipping is exact: a pattern skipped that way would have found no match, and a pattern that finds no
match leaves Python-Markdown's state (the text and the restart index) as skipping does.
``tests/test_fastinline.py`` checks identical HTML on the whole corpus and on random Markdown.
"""

from __future__ import annotations

import re

from markdown import util
from markdown.treeprocessors import InlineProcessor

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c
    import sre_parse as _p

_MAX_CHARS = 24  # a class wider than this is not worth checking


def _literal(ch: str, icase: bool):
    # Case-insensitive matching folds some letters to unexpected ones (K and the Kelvin sign):
    # a cased letter under IGNORECASE gives no trigger.
    if icase and ch.lower() != ch.upper():
        return None
    return {ch}


def _seq(items, icase: bool):
    """Characters of which every match of this sequence must contain one, or None if unknown.

    Every element that must match (not zero-width, not optional) needs one character of its own
    set; the smallest such set found is the most selective trigger.
    """
    best = None
    for item in items:
        chars = _item(item, icase)
        if chars is not None and (best is None or len(chars) < len(best)):
            best = chars
    return best


def _item(item, icase: bool):
    op, av = item
    if op is _c.LITERAL:
        return _literal(chr(av), icase)
    if op is _c.IN:
        chars = set()
        for iop, iav in av:
            sub = _literal(chr(iav), icase) if iop is _c.LITERAL else None
            if sub is None:
                return None  # ranges, categories, negation
            chars |= sub
        return chars if 0 < len(chars) <= _MAX_CHARS else None
    if op is _c.BRANCH:
        chars = set()
        for branch in av[1]:
            sub = _seq(list(branch), icase)
            if sub is None:
                return None
            chars |= sub
        return chars if len(chars) <= _MAX_CHARS else None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return _seq(list(sub), icase or bool(add_flags & re.IGNORECASE))
    if op in _REPEATS:
        lo, _hi, sub = av
        return _seq(list(sub), icase) if lo >= 1 else None
    return None  # zero-width assertions, ANY, NOT_LITERAL, GROUPREF...: nothing required


_REPEATS = tuple(x for x in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if x is not None)


def trigger(regex: re.Pattern):
    """A compiled character class every match of ``regex`` must contain one of, or None."""
    try:
        tree = _p.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - unusual pattern: always run it
        return None
    chars = _seq(list(tree), bool(regex.flags & re.IGNORECASE))
    if not chars:
        return None
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


class FastInlineProcessor(InlineProcessor):
    """An ``InlineProcessor`` that skips patterns whose trigger characters are absent."""

    def run(self, tree, ancestors=None):
        self._acx_patterns = [(p, _trigger_of(p)) for p in self.inlinePatterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802 - overrides a private method
        if isinstance(data, util.AtomicString):
            return data
        patterns = self._acx_patterns
        apply = self._InlineProcessor__applyPattern
        startIndex = 0  # noqa: N806 - Python-Markdown's name
        count = len(patterns)
        while patternIndex < count:
            pattern, trig = patterns[patternIndex]
            if trig is not None and trig.search(data) is None:
                patternIndex += 1
                startIndex = 0  # noqa: N806 - what a failed match returns
                continue
            data, matched, startIndex = apply(pattern, data, patternIndex, startIndex)  # noqa: N806
            if not matched:
                patternIndex += 1
        return data


_TRIGGERS: dict = {}


def _trigger_of(pattern):
    regex = pattern.getCompiledRegExp()
    key = (regex.pattern, regex.flags)
    if key not in _TRIGGERS:
        _TRIGGERS[key] = trigger(regex)
    return _TRIGGERS[key]


def install(md):
    """Make every inline processor of ``md`` skip patterns that cannot match."""
    for item in md.treeprocessors._priority:
        proc = md.treeprocessors[item.name]
        if type(proc) is InlineProcessor:
            proc.__class__ = FastInlineProcessor
    return md
