"""The Pelican plugin (``plugins/acx_pelican.py``) changes how Pelican finds its intrasite links, for
speed only: the answers must be Pelican's own."""

from __future__ import annotations

import copy
import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

PIECES = [
    '<a href="',
    "<img src='",
    '">',
    "'>",
    "</a>",
    '"',
    "'",
    "{",
    "}",
    "|",
    "{static}",
    "{filename}",
    "|tag|",
    "x.png",
    "/y",
    " ",
    "\n",
    "a",
]


def _article(html, regex=None):
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    conf = copy.deepcopy(DEFAULT_CONFIG)
    if regex:
        conf["INTRASITE_LINK_REGEX"] = regex
    context = {"generated_content": {}, "static_content": {}, "localsiteurl": ""}
    return Article(
        html, metadata={"title": "T", "date": dt.datetime(2026, 1, 1)}, settings=conf, source_path="/site/posts/t.md", context=context
    )


def _pelicans_own():
    """Pelican's methods, as they were before the plugin replaced them."""
    from pelican.contents import Content

    from plugins import acx_pelican

    acx_pelican._intrasite_links_only_where_marked()
    assert Content._acx_intrasite  # installed for the Pelican this project pins
    return Content.get_static_links.__closure__, Content._update_content.__closure__


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join), st.sampled_from([None, r"\[(?P<what>.*?)\]"]))
@example('<a href="{static}/x.png">', None)
@example("<img src='{static}/x.png'>", None)
@example('<a href="|tag|x">y</a>', None)
@example("<a href='|tag|x'>y</a>", None)
@example("<img src='|filename|y'>", None)
@example('<a href="{static}/x.png">', r"\[(?P<what>.*?)\]")
@example('<a href="[static]/x.png">', r"\[(?P<what>.*?)\]")
def test_intrasite_links_are_found_as_pelican_finds_them(html, regex):
    (static_cell,), (update_cell,) = _pelicans_own()
    static, update = static_cell.cell_contents, update_cell.cell_contents
    article = _article(html, regex)
    assert article.get_static_links() == static(article)
    assert article._update_content(html, "") == update(article, html, "")


def test_a_static_link_is_still_found():
    """(The property above compares with Pelican; here, that what it compares is not nothing.)"""
    _pelicans_own()
    article = _article('<p><img src="{static}/figures/x.png" alt=""></p>')
    assert article.get_static_links() == {"figures/x.png"}
    article = _article('<a href="{tag}alignment">x</a>')
    assert article._update_content(article._content, "") == '<a href="/tag/alignment.html">x</a>'
