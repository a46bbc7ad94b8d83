"""The shared bibliography: labels, LaTeX decoding, and every check, each naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.bibliography import Bibliography, latex_to_text

FIX = Path(__file__).parent / "fixtures" / "site" / "bib" / "refs.bib"


@pytest.fixture(scope="module")
def bib():
    return Bibliography.load([FIX])


def load(tmp_path, text, name="x.bib"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return Bibliography.load([p], tmp_path)


def msgs(b):
    return [p.format() for p in b.problems]


@pytest.mark.parametrize(
    "key,label",
    [
        ("ngo2022some", "Ngo, 2022"),  # one author
        ("armstrong2018occam", "Armstrong and Mindermann, 2018"),  # two
        ("ngo2022alignment", "Ngo et al., 2022"),  # three
        ("vaswani2017attention", "Vaswani et al., 2017"),  # many
        ("openai2023gpt4", "OpenAI, 2023"),  # corporate
        ("christiano2017deep", "Christiano et al., 2017"),  # "and others"
        ("hadfieldmenell2017inverse", "Hadfield-Menell et al., 2017a"),  # a/b by title
        ("hadfieldmenell2017off", "Hadfield-Menell et al., 2017b"),
        ("erdos1959random", "Erdős and Rényi, 1959"),  # accents
    ],
)
def test_author_year_labels(bib, key, label):
    assert bib.get(key).cite_text("p") == label


def test_narrative_and_year_only(bib):
    e = bib.get("hubinger2019risks")
    assert e.cite_text("t") == "Hubinger et al. (2019)" and e.cite_text("year") == "2019"


def test_latex_decoding_and_protected_capitals(bib):
    assert latex_to_text(r"{\"o}{\'e}{van der Waals}{OpenAI}") == "öévan der WaalsOpenAI"
    assert "Kaiser" in bib.get("vaswani2017attention").text and "Łukasz" in bib.get("vaswani2017attention").text
    assert "GPT-4" in bib.get("openai2023gpt4").html
    assert "van der Waals" in bib.get("unused2020entry").text


def test_links_from_doi_eprint_url(bib):
    assert bib.get("hubinger2019risks").links == [("arXiv", "https://arxiv.org/abs/1906.01820")]
    assert bib.get("erdos1959random").links == [("URL", "https://example.org/erdos")]


def test_fixture_is_clean(bib):
    assert bib.problems == []


def test_uncited_is_a_warning(tmp_path):
    b = load(tmp_path, "@misc{a2020x,\n title={X},\n author={A, B},\n year={2020},\n url={https://e.org}\n}\n")
    (w,) = b.uncited(set())
    assert w.severity == "warning" and w.format() == "x.bib:1: warning: a2020x: entry is cited nowhere"


def test_syntax_error_names_line(tmp_path):
    b = load(
        tmp_path,
        "@misc{ok2020,\n title={Fine},\n year={2020},\n url={https://e.org}\n}\n\n@misc{bad2020,\n title={Unbalanced,\n year={2020}\n",
    )
    (m,) = msgs(b)
    assert m.startswith("x.bib:") and "BibTeX syntax error" in m


def test_duplicate_keys_across_files(tmp_path):
    (tmp_path / "a.bib").write_text("@misc{k2020,\n title={A},\n year={2020},\n url={https://e.org/a}\n}\n")
    (tmp_path / "b.bib").write_text("\n\n@misc{k2020,\n title={B},\n year={2020},\n url={https://e.org/b}\n}\n")
    b = Bibliography.load([tmp_path / "a.bib", tmp_path / "b.bib"], tmp_path)
    assert msgs(b) == ["b.bib:3: duplicate BibTeX key 'k2020' (first defined at a.bib:1); rename or remove one"]


@pytest.mark.parametrize(
    "entry,expected",
    [
        (
            "@article{k,\n title={T},\n author={A, B},\n year={2020},\n url={https://e.org}\n}",
            "x.bib:1: k: missing required field 'journal' for @article",
        ),
        ("@misc{k,\n title={T},\n year={20x0},\n url={https://e.org}\n}", "x.bib:1: k: year must be four digits (got '20x0')"),
        ("@misc{k,\n title={T},\n year={2020}\n}", "x.bib:1: k: no url, doi or eprint: add one that identifies the work"),
        (
            "@misc{k,\n title={T},\n year={2020},\n doi={https://doi.org/10.1/x}\n}",
            "x.bib:1: k: malformed DOI 'https://doi.org/10.1/x' (expected 10.NNNN/…, without https://doi.org/)",
        ),
        (
            "@misc{k,\n title={T},\n year={2020},\n eprint={arXiv:2105}\n}",
            "x.bib:1: k: malformed arXiv id 'arXiv:2105' (expected e.g. 2105.14111)",
        ),
        (
            "@webpage{k,\n title={T},\n year={2020},\n url={https://e.org}\n}",
            "x.bib:1: k: unknown entry type '@webpage'; use one of article, book, booklet, conference, inbook, incollection, inproceedings, manual, mastersthesis, misc, phdthesis, proceedings, techreport, unpublished",
        ),
        (
            "@misc{k,\n title={T},\n year={2020},\n url={https://e.org},\n crossref={nothere}\n}",
            "x.bib:1: k: crossref to missing entry 'nothere'",
        ),
    ],
)
def test_entry_checks(tmp_path, entry, expected):
    assert expected in msgs(load(tmp_path, entry + "\n"))


def test_duplicate_doi_arxiv_and_near_identical_titles(tmp_path):
    b = load(
        tmp_path,
        "@misc{a,\n title={Goal Misgeneralization in Deep RL},\n year={2020},\n eprint={2105.14111}\n}\n"
        "@misc{b,\n title={Goal misgeneralisation in deep RL},\n year={2020},\n eprint={2105.14111v2}\n}\n"
        "@misc{c,\n title={X},\n year={2020},\n doi={10.1000/abc}\n}\n@misc{d,\n title={Y},\n year={2020},\n doi={10.1000/ABC}\n}\n",
    )
    m = " | ".join(msgs(b))
    assert "x.bib:6: b: same arXiv id as 'a'" in m
    assert "x.bib:6: b: title nearly identical to 'a'" in m
    assert "x.bib:16: d: same DOI as 'c'" in m


def test_string_loop_is_an_error_not_a_crash(tmp_path):
    b = load(tmp_path, "@string{a = b}\n@string{b = a}\n@misc{k,\n title=a,\n year={2020},\n url={https://e.org}\n}\n")
    assert b.problems and b.problems[0].path == "x.bib"


def test_not_utf8(tmp_path):
    p = tmp_path / "x.bib"
    p.write_bytes(b"@misc{k,\n title={caf\xe9},\n year={2020},\n url={https://e.org}\n}\n")
    b = Bibliography.load([p], tmp_path)
    assert msgs(b) == ["x.bib:2: not UTF-8 text: save the .bib file as UTF-8"]


def test_titles_differing_in_a_number_are_different_works(tmp_path):
    b = load(
        tmp_path,
        "@misc{a,\n title={ARENA 2.0 Impact Report},\n year={2023},\n url={https://e.org/a}\n}\n"
        "@misc{b,\n title={ARENA 5.0 Impact Report},\n year={2025},\n url={https://e.org/b}\n}\n",
    )
    assert msgs(b) == []


def test_editing_one_entry_formats_only_that_entry(tmp_path, monkeypatch):
    from plugins import bibliography as b

    (tmp_path / "bib").mkdir()
    f = tmp_path / "bib" / "a.bib"
    f.write_text(
        "@misc{one2020a, title = {First}, author = {Doe, Jane}, year = {2020}, url = {https://example.org/1}}\n"
        "@misc{two2021b, title = {Second}, author = {Roe, Rick}, year = {2021}, url = {https://example.org/2}}\n"
    )
    first = b.Bibliography.load_cached(tmp_path)
    calls = []
    real = b._Style.format_entry
    monkeypatch.setattr(b._Style, "format_entry", lambda self, label, e, *a: calls.append(e.key) or real(self, label, e, *a))
    f.write_text(f.read_text().replace("Second", "Second, revised"))
    second = b.Bibliography.load_cached(tmp_path)
    assert calls == ["two2021b"]
    assert second.entries["one2020a"].html == first.entries["one2020a"].html
    assert "revised" in second.entries["two2021b"].html
    fresh = b.Bibliography.load(sorted((tmp_path / "bib").glob("*.bib")), tmp_path)
    assert {k: e.html for k, e in fresh.entries.items()} == {k: e.html for k, e in second.entries.items()}


def test_decode_latex_fast_path_is_exact():
    """Text that _LATEX_ACTIVE passes over must decode to itself: every string up to length 4 over
    the characters the decoder treats specially, and random longer ones."""
    import codecs
    import itertools
    import random
    import string

    import latexcodec  # noqa: F401

    from plugins.bibliography import _LATEX_ACTIVE, decode_latex

    def slow(s):
        try:
            return codecs.decode(s, "ulatex")
        except UnicodeDecodeError:
            return None

    alphabet = "a- ,'`!?\\%~\n\t{}$é.<>"
    checked = 0
    for n in range(1, 5):
        for t in itertools.product(alphabet, repeat=n):
            s = "".join(t)
            if not _LATEX_ACTIVE.search(s):
                checked += 1
                assert slow(s) == s, repr(s)
    assert checked > 10000
    rng = random.Random(7)
    chars = string.printable + "éü–—“”"
    for _ in range(20000):
        s = "".join(rng.choice(chars) for _ in range(rng.randint(1, 40)))
        expected = slow(s)
        if expected is not None:
            assert decode_latex(s) == expected, repr(s)
    assert decode_latex(r"Schr\"{o}dinger -- a ``test''") == slow(r"Schr\"{o}dinger -- a ``test''")


def test_formatting_in_two_processes_equals_one(monkeypatch):
    """The repository's bibliography formatted by this process alone and with a forked copy
    formatting every other entry: the same HTML, LaTeX, text, links and problems."""
    from plugins import bibliography as b

    paths = sorted((Path(__file__).parent.parent / "bib").glob("*.bib"))
    forms = []
    for threshold in (10**9, 2):
        monkeypatch.setattr(b, "PARALLEL_FORMAT_MIN", threshold)
        bib = b.Bibliography.load(paths)
        forms.append(({k: (e.html, e.latex, e.text, e.links) for k, e in bib.entries.items()}, msgs(bib)))
    assert len(forms[0][0]) > 100 and forms[0] == forms[1]


def test_a_failed_formatting_copy_is_replaced_by_this_process(monkeypatch):
    from plugins import bibliography as b

    parent = __import__("os").getpid()
    real = b._format_keys

    def fails_in_copy(style, data, keys):
        if __import__("os").getpid() != parent:
            raise RuntimeError("the copy fails")
        return real(style, data, keys)

    monkeypatch.setattr(b, "_format_keys", fails_in_copy)
    monkeypatch.setattr(b, "PARALLEL_FORMAT_MIN", 2)
    two = b.Bibliography.load([FIX])
    monkeypatch.setattr(b, "PARALLEL_FORMAT_MIN", 10**9)
    one = b.Bibliography.load([FIX])
    assert {k: e.html for k, e in two.entries.items()} == {k: e.html for k, e in one.entries.items()}
