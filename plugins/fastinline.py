"""Python-Markdown's parse without the tries that cannot succeed: same output, less time.

Python-Markdown's inline passes try every inline pattern (about 40 with our extensions, smarty's
quotes and pymdownx's symbols included) on every text run, each try costing a few microseconds of
Python before the regular expression even starts. ``install`` reads each pattern's regular
expression once and works out:

- its *trigger*: text every match must contain (the most selective run of mandatory literals or
  set of alternatives, found by walking the expression's parse tree: ``$``, ``@``, ``[^``, ``://``
  or ``www.``...); a pattern is skipped on a text run without it, and a pass is skipped when no
  text of the document holds any of its patterns' triggers (checked for a pass with few patterns,
  or whose triggers are all plain strings: smarty's 18 reduce to ``'``, ``"``, ``--`` and
  ``...``, and a text run holding none of them is returned at once);
- for patterns that begin with a look-behind, an optional part or an alternation (which Python's
  engine tries at every position), the characters a match can begin with: the pattern is then
  tried only at those characters (``ScanFirst``).

It also gives three block processors' searches a trigger ('#', '>', rule markers) and replaces the
whitespace normalisation's look-behind pattern with an equivalent one. All of it is exact: a skipped
try would have found nothing, and finding nothing leaves Python-Markdown's state as skipping does.
``tests/test_fastinline.py`` checks identical HTML against plain Python-Markdown on every piece and
on random Markdown, and property-tests each rewritten search.
"""

from __future__ import annotations

import functools
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
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
_REPEATS = tuple(x for x in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if x is not None)
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)


def _literal(ch: str, icase: bool):
    # Case-insensitive matching folds some letters to unexpected ones (K and the Kelvin sign):
    # a cased letter under IGNORECASE gives no trigger.
    if icase and ch.lower() != ch.upper():
        return None
    return {ch}


def _class(av, icase: bool):
    """The characters of a class made of literals only (else None)."""
    chars = set()
    for iop, iav in av:
        sub = _literal(chr(iav), icase) if iop is _c.LITERAL else None
        if sub is None:
            return None  # ranges, categories, negation
        chars |= sub
    return chars if 0 < len(chars) <= _MAX_CHARS else None


# --------------------------------------------------------------------- required text ("triggers")
# A trigger is a set of strings of which every match must contain one. Literal letters count even
# under IGNORECASE when the whole pattern is case-insensitive: the trigger is then compiled
# case-insensitive too, so the regular-expression engine folds both the same way.


def _score(alts: set) -> tuple:
    """How selective a trigger is: punctuation is rarer than letters, longer is rarer."""
    worst = min(sum(2 if not c.isalnum() and not c.isspace() else 0.5 for c in a) for a in alts)
    return (worst, -len(alts))


def _best(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return b if _score(b) > _score(a) else a


def _seq(items, icase: bool, top_icase: bool):
    """Strings of which every match of this sequence must contain one, or None if unknown.

    Runs of consecutive mandatory literals are required text; so is any mandatory element's own
    required text. The most selective of them is kept."""
    best, run = None, ""
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the literals either side stay adjacent
        ch = None
        if op is _c.LITERAL and (not icase or top_icase or chr(av).lower() == chr(av).upper()):
            ch = chr(av)
        elif op in _REPEATS and av[0] >= 1 and len(av[2]) == 1 and av[2][0][0] is _c.LITERAL:
            c = chr(av[2][0][1])
            if not icase or top_icase or c.lower() == c.upper():
                lo, hi = av[0], av[1]
                run += c * min(lo, 8)
                if hi != lo or lo > 8:  # more of it may follow: what comes next is not adjacent
                    best, run = _best(best, {run}), ""
                continue
        if ch is not None:
            run += ch
            continue
        if run:
            best, run = _best(best, {run}), ""
        best = _best(best, _item((op, av), icase, top_icase))
    if run:
        best = _best(best, {run})
    return best


def _item(item, icase: bool, top_icase: bool):
    op, av = item
    if op is _c.LITERAL:
        return {chr(av)} if (not icase or top_icase or chr(av).lower() == chr(av).upper()) else None
    if op is _c.IN:
        if icase and not top_icase:
            return _class(av, True)
        return _class(av, False)
    if op is _c.BRANCH:
        alts = set()
        for branch in av[1]:
            sub = _seq(list(branch), icase, top_icase)
            if sub is None:
                return None
            alts |= sub
        return alts if len(alts) <= _MAX_CHARS else None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return _seq(list(sub), icase or bool(add_flags & re.IGNORECASE), top_icase)
    if op in _REPEATS:
        lo, _hi, sub = av
        return _seq(list(sub), icase, top_icase) if lo >= 1 else None
    if _ATOMIC is not None and op is _ATOMIC:
        return _seq(list(av), icase, top_icase)
    return None  # ANY, NOT_LITERAL, categories, group references...: nothing known


def _required(regex: re.Pattern):
    """(strings every match of ``regex`` contains one of, whether matching folds case), or None."""
    try:
        tree = _p.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - unusual pattern: always run it
        return None
    icase = bool(regex.flags & re.IGNORECASE)
    alts = _seq(list(tree), icase, icase)
    return (alts, icase) if alts else None


def trigger(regex: re.Pattern):
    """A compiled regular expression every match of ``regex`` must contain a match of, or None."""
    req = _required(regex)
    if req is None:
        return None
    alts, icase = req
    if all(len(a) == 1 for a in alts):
        source = "[" + "".join(re.escape(c) for c in sorted(alts)) + "]"
    else:
        source = "|".join(re.escape(a) for a in sorted(alts, key=lambda a: (-len(a), a)))
    return re.compile(source, re.IGNORECASE if icase else 0)


def _plain(regex: re.Pattern):
    """A trigger's strings when plain substring tests decide it (no case folding), else None."""
    req = _required(regex)
    if req is None:
        return None
    alts, icase = req
    if icase and any(a.lower() != a.upper() for a in alts):
        return None
    return tuple(sorted(alts))


# --------------------------------------------------------------------- where a match can start
# A pattern that begins with a look-behind, an optional part or an alternation makes Python's
# regular-expression engine try every position of the text; when the characters a match can begin
# with are known, finding the next such character first and trying the pattern only there gives
# the same matches.


def _first(items, icase: bool):
    """(characters a match of this sequence can begin with, whether it can match nothing), or None."""
    chars: set = set()
    for item in items:
        if item[0] in _ZERO_WIDTH:
            continue
        r = _first_item(item, icase)
        if r is None:
            return None
        chars |= r[0]
        if not r[1]:
            return chars, False
    return chars, True


def _first_item(item, icase: bool):
    op, av = item
    if op is _c.LITERAL:
        chars = _literal(chr(av), icase)
        return (chars, False) if chars else None
    if op is _c.IN:
        chars = _class(av, icase)
        return (chars, False) if chars else None
    if op is _c.BRANCH:
        chars, empty = set(), False
        for branch in av[1]:
            r = _first(list(branch), icase)
            if r is None:
                return None
            chars |= r[0]
            empty = empty or r[1]
        return chars, empty
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return _first(list(sub), icase or bool(add_flags & re.IGNORECASE))
    if op in _REPEATS:
        lo, _hi, sub = av
        r = _first(list(sub), icase)
        return None if r is None else (r[0], r[1] or lo == 0)
    if _ATOMIC is not None and op is _ATOMIC:
        return _first(list(av), icase)
    return None


def first_chars(regex: re.Pattern):
    """A compiled class of the characters every match of ``regex`` begins with, or None when
    unknown, when the pattern can match empty text, or when the engine already skips ahead by
    itself (the pattern begins with a literal or a class)."""
    try:
        tree = list(_p.parse(regex.pattern, regex.flags))
    except Exception:  # noqa: BLE001
        return None
    if tree and tree[0][0] in (_c.LITERAL, _c.IN):
        return None
    r = _first(tree, bool(regex.flags & re.IGNORECASE))
    if r is None or r[1] or not r[0] or len(r[0]) > _MAX_CHARS:
        return None
    return re.compile("[" + "".join(re.escape(c) for c in sorted(r[0])) + "]")


class ScanFirst:
    """A compiled pattern whose ``finditer`` (what Python-Markdown's inline pass calls) tries the
    pattern only where a match can begin; anything else is the pattern's own."""

    __slots__ = ("regex", "first")

    def __init__(self, regex: re.Pattern, first: re.Pattern):
        self.regex, self.first = regex, first

    def finditer(self, string: str, pos: int = 0):
        find, match = self.first.search, self.regex.match
        while True:
            c = find(string, pos)
            if c is None:
                return
            m = match(string, c.start())
            if m is None:
                pos = c.start() + 1
                continue
            yield m
            pos = m.end()  # never empty: every match begins with one of the first characters

    def search(self, string: str, pos: int = 0):
        return next(self.finditer(string, pos), None)

    def __getattr__(self, name):
        return getattr(self.regex, name)


_WHOLE_TREE_CHECK = 8  # a pass with this few patterns is first checked against all its tree's text


def _tree_text(tree) -> str:
    """Every text and tail of ``tree``, joined with NUL, which no trigger contains."""
    return "\0".join(t for el in tree.iter() for t in (el.text, el.tail) if t)


def _may_match(patterns, tree) -> bool:
    """Whether some text or tail of ``tree`` holds a trigger of one of ``patterns`` (True when a
    pattern has no trigger)."""
    texts = _tree_text(tree)
    for _pattern, chars, alts, trig in patterns:
        if chars is not None:
            if any(c in texts for c in chars):
                return True
        elif alts is not None:
            if any(a in texts for a in alts):
                return True
        elif trig is None or trig.search(texts) is not None:
            return True
    return False


class FastInlineProcessor(InlineProcessor):
    """An ``InlineProcessor`` that skips patterns whose triggers are absent.

    Most triggers are one character of a small set: for a text run, which of all those characters
    it holds is found in one pass (again only when a match has changed the text), and such a
    pattern is skipped when its set and the text's share none. Longer triggers are substring tests;
    triggers that fold case are searched for with their regular expression."""

    def run(self, tree, ancestors=None):
        # Filed once per set of patterns and their expressions: a pattern may rebuild its expression
        # in place (Python-Markdown's emphasis processor does when a delimiter is added).
        current = tuple((p, p.getCompiledRegExp()) for p in self.inlinePatterns)
        if getattr(self, "_acx_for", None) != current:
            patterns = filed(p for p, _rx in current)
            union = {c for _p, chars, _a, _t in patterns if chars is not None for c in chars}
            self._acx_patterns = patterns
            self._acx_union = re.compile("[" + "".join(re.escape(c) for c in sorted(union)) + "]") if union else None
            self._acx_any = _trigger_strings(patterns)
            self._acx_for = current
        patterns, strings = self._acx_patterns, self._acx_any
        if strings is not None:
            texts = _tree_text(tree)
            skip = not any(a in texts for a in strings)
        else:
            skip = len(patterns) <= _WHOLE_TREE_CHECK and not _may_match(patterns, tree)
        if skip:
            # No text of the tree holds any pattern's trigger: the pass would leave every text as
            # it is (Python-Markdown re-sets each text and tail unchanged), so it is not run.
            self.stashed_nodes = {}
            return tree
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802 - overrides a private method
        if isinstance(data, util.AtomicString):
            return data
        strings = self._acx_any
        if strings is not None and not any(a in data for a in strings):
            return data  # no pattern's trigger is in the text: each would be skipped below
        patterns = self._acx_patterns
        union = self._acx_union
        apply = self._InlineProcessor__applyPattern
        startIndex = 0  # noqa: N806 - Python-Markdown's name
        count = len(patterns)
        seen, present = None, frozenset()
        while patternIndex < count:
            pattern, chars, alts, trig = patterns[patternIndex]
            if chars is not None:
                if seen is not data:
                    seen, present = data, set(union.findall(data))
                skip = chars.isdisjoint(present)
            elif alts is not None:
                skip = alts[0] not in data if len(alts) == 1 else not any(a in data for a in alts)
            else:
                skip = trig is not None and trig.search(data) is None
            if skip:
                patternIndex += 1
                startIndex = 0  # noqa: N806 - what a failed match returns
                continue
            data, matched, startIndex = apply(pattern, data, patternIndex, startIndex)  # noqa: N806
            if not matched:
                patternIndex += 1
        return data


def filed(inline_patterns) -> list:
    """Each pattern as (pattern, its one-character triggers or None, its trigger strings or None,
    its trigger expression or None): one of the three is set, or none when it has no trigger."""
    out = []
    for p in inline_patterns:
        trig, alts = _trigger_of(p)
        if alts is not None and all(len(a) == 1 for a in alts):
            out.append((p, frozenset(alts), None, None))
        elif alts is not None:
            out.append((p, None, alts, None))
        else:
            out.append((p, None, None, trig))
    return out


def _trigger_strings(patterns):
    """Plain strings such that a text holding none of them holds no trigger of any of ``patterns``
    (so each pattern would be skipped on it), or None when some trigger is not a set of plain strings.
    A string that contains another is left out: a text holding it holds the other."""
    strings = set()
    for _p, chars, alts, _trig in patterns:
        if chars is not None:
            strings.update(chars)
        elif alts is not None:
            strings.update(alts)
        else:
            return None
    return tuple(sorted((a for a in strings if not any(b != a and b in a for b in strings)), key=lambda a: (len(a), a)))


_TRIGGERS: dict = {}


def _trigger_of(pattern):
    """(the pattern's trigger or None, its strings when substring tests decide it or None)."""
    regex = pattern.getCompiledRegExp()
    key = (regex.pattern, regex.flags)
    if key not in _TRIGGERS:
        _TRIGGERS[key] = (trigger(regex), _plain(regex))
    return _TRIGGERS[key]


def install(md):
    """Make every inline processor of ``md`` skip patterns that cannot match, and search for the
    others only where a match can begin."""
    from markdown.inlinepatterns import InlineProcessor as NewStylePattern

    _prefilter_block_tests(md)
    _fast_normalize_whitespace(md)
    _toc_only_where_marked(md)
    _html_blocks_only_where_markup(md)

    for item in md.treeprocessors._priority:
        proc = md.treeprocessors[item.name]
        if type(proc) is InlineProcessor:
            proc.__class__ = FastInlineProcessor
            for pattern in proc.inlinePatterns:
                regex = getattr(pattern, "compiled_re", None)
                if isinstance(pattern, NewStylePattern) and isinstance(regex, re.Pattern):
                    first = _first_of(regex)
                    if first is not None:
                        pattern.compiled_re = ScanFirst(regex, first)
    return md


_FIRST: dict = {}


def _first_of(regex):
    key = (regex.pattern, regex.flags)
    if key not in _FIRST:
        _FIRST[key] = first_chars(regex)
    return _FIRST[key]


# Block processors whose test is "the regular expression is found in the block" try it at every
# position of every block (their patterns begin with "start of text or a newline"). A trigger every
# match must contain is checked first: for ATX headings '#', for block quotes '>', and for
# horizontal rules three of the same marker with at most two spaces between each.
_HR_SEARCH = r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$"
HR_TRIGGER = re.compile(r"-[ ]{0,2}-[ ]{0,2}-|_[ ]{0,2}_[ ]{0,2}_|\*[ ]{0,2}\*[ ]{0,2}\*")


def _prefilter_block_tests(md) -> None:
    from markdown import blockprocessors as bp

    for name, cls, attr in (
        ("hashheader", bp.HashHeaderProcessor, "RE"),
        ("quote", bp.BlockQuoteProcessor, "RE"),
        ("hr", bp.HRProcessor, "SEARCH_RE"),
    ):
        if name not in md.parser.blockprocessors:
            continue
        proc = md.parser.blockprocessors[name]
        if type(proc) is not cls or type(proc).test is not cls.test:
            continue  # replaced by an extension: its test may not be a search
        regex = getattr(proc, attr)
        trig = HR_TRIGGER if name == "hr" and regex.pattern == _HR_SEARCH and regex.flags & re.M else trigger(regex)
        if trig is None or (name == "hr" and trig is not HR_TRIGGER):
            continue
        original = proc.test

        def test(parent, block, _trig=trig, _test=original, _rule=name == "hr"):
            if _rule and not (block.count("-") > 2 or block.count("_") > 2 or block.count("*") > 2):
                return False  # a rule is three of one marker: counting is quicker than the search
            return _trig.search(block) is not None and _test(parent, block)

        proc.test = test

    # A Setext heading is a line followed by a line of '=' or '-' (the expression walks the first
    # line character by character): the block must hold a newline and one of those.
    proc = md.parser.blockprocessors["setextheader"] if "setextheader" in md.parser.blockprocessors else None
    if type(proc) is bp.SetextHeaderProcessor and type(proc).test is bp.SetextHeaderProcessor.test and proc.RE.pattern == _SETEXT:
        setext = proc.test
        proc.test = lambda parent, block, _test=setext: "\n" in block and ("=" in block or "-" in block) and _test(parent, block)

    # Link-reference and footnote definitions ('[id]: url', '[^id]: text'): their processors search
    # every block for a definition line, and each definition holds ']:'. A block without it is
    # given back as they give back a block without a definition.
    from markdown.extensions import footnotes

    for name, cls, pattern in (("reference", bp.ReferenceProcessor, _REFERENCE), ("footnote", footnotes.FootnoteBlockProcessor, _FOOTNOTE)):
        proc = md.parser.blockprocessors[name] if name in md.parser.blockprocessors else None
        if type(proc) is not cls or type(proc).run is not cls.run or proc.RE.pattern != pattern:
            continue

        def run(parent, blocks, _run=proc.run):
            return _run(parent, blocks) if "]:" in blocks[0] else False

        proc.run = run


_SETEXT = r"^.*?\n(?:=+|-+)[ ]*(\n|$)"
_REFERENCE = r"""^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$"""
_FOOTNOTE = r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"


# Python-Markdown's whitespace normalisation empties lines holding only spaces with
# ``re.sub(r'(?<=\n) +\n', '\n', source)``: a pattern beginning with a look-behind, tried at every
# position of the document. ``\n +(?=\n)`` removes the same runs (spaces between two newlines;
# property-tested) and begins with a literal. The rest of the method is Python-Markdown's; the
# replacement is installed only while its source is the one copied here.
BLANK_LINE_SPACES = re.compile(r"\n +(?=\n)")
# SHA-256 of ``NormalizeWhitespace.run``'s source in the Python-Markdown this was written against.
_KNOWN_NORMALIZE_SHA = "a99bc2f9e0d83abcd6a7155a5637176e74280f85190e3e05eb1ad20ee5366d2f"


@functools.cache
def known_source(func, sha256: str) -> bool:
    """Whether ``func``'s source has this SHA-256: the condition for installing a copy of it made
    faster (False when its source cannot be read, as when a library is installed without it)."""
    import hashlib
    import inspect

    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() == sha256


def _fast_normalize_whitespace(md) -> None:
    from markdown import preprocessors, util

    if "normalize_whitespace" not in md.preprocessors:
        return
    proc = md.preprocessors["normalize_whitespace"]
    if type(proc) is not preprocessors.NormalizeWhitespace:
        return
    if not known_source(preprocessors.NormalizeWhitespace.run, _KNOWN_NORMALIZE_SHA):
        return  # another Python-Markdown: keep its own
    tab_length = md.tab_length

    def run(lines):
        source = "\n".join(lines)
        source = source.replace(util.STX, "").replace(util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(tab_length)
        source = BLANK_LINE_SPACES.sub("\n", source)
        return source.split("\n")

    proc.run = run


def _toc_only_where_marked(md) -> None:
    """Python-Markdown's table-of-contents pass builds the contents list on every document, puts it
    where a paragraph is just its marker ('[TOC]'), and serializes and post-processes it into
    ``md.toc``; looking for the marker joins the text of every element. For a document in which no
    element's text holds the marker (checked once, text by text), nothing can be replaced: the list
    is then not built and the search skipped. The document is the same; ``md.toc`` is then empty
    text (``md.toc_tokens`` is as before; this engine draws its contents from its own list of
    headings and reads neither)."""
    from markdown.extensions.toc import TocTreeprocessor

    proc = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None
    if type(proc) is not TocTreeprocessor:
        return
    run, build, replace = proc.run, proc.build_toc_div, proc.replace_marker
    marked = [True]

    def run_checked(doc):
        marker = proc.marker
        marked[0] = bool(marker) and any(el.text and marker in el.text for el in doc.iter())
        out = run(doc)
        if not marked[0]:
            md.toc = ""  # not built (``md.toc_tokens`` is)
        return out

    def build_toc_div(toc_list):
        return build(toc_list if marked[0] else [])

    def replace_marker(root, elem):
        if marked[0]:
            replace(root, elem)

    proc.run, proc.build_toc_div, proc.replace_marker = run_checked, build_toc_div, replace_marker


def _html_blocks_only_where_markup(md) -> None:
    """Python-Markdown finds raw HTML blocks by running an HTML parser over the whole document. Text
    with no '<' and no '&' holds no tag, comment or character reference, and the parser gives it
    back as it is (property-tested for both Python-Markdown's preprocessor and md_in_html's), so
    such a document is not parsed."""
    from markdown import preprocessors
    from markdown.extensions import md_in_html

    proc = md.preprocessors["html_block"] if "html_block" in md.preprocessors else None
    if type(proc) not in (preprocessors.HtmlBlockPreprocessor, md_in_html.HtmlBlockPreprocessor):
        return
    run = proc.run

    def run_where_markup(lines):
        if any("<" in line or "&" in line for line in lines):
            return run(lines)
        return lines

    proc.run = run_where_markup
