"""External link checker for the Alignment Concepts site.

A small library (standard library only) that the build calls after the
site is generated::

    from plugins.linkcheck_external import LinkRef, check_external, format_report

    refs = [LinkRef("https://arxiv.org/abs/1906.01820", "posts/x.md", 12)]
    results = check_external(refs, ignore=load_ignore_file())
    print(format_report(results, fmt="text"))

What it does, per unique URL (fragment stripped):

* ``HEAD`` first, ``GET`` when the server refuses ``HEAD`` (405, 403 or 501);
  ``GET`` directly when a ``#fragment`` must be checked.
* Follows redirects itself (``Location`` resolved against the current URL),
  records every hop, and reports ``redirect loop`` / ``too many redirects``.
* Retries transient failures (429, 500, 502, 503, 504, timeouts, connection
  errors) with exponential backoff; honours ``Retry-After`` on 429/503, in the
  seconds form and the HTTP-date form, capped at ``max_retry_after`` seconds.
* Runs ``concurrency`` requests at once with at most ``per_host`` in flight
  per host (``host:port``).
* Keeps a JSON cache (``cache_path``): a URL that was found alive less than
  ``ttl_days`` ago is not asked again. Failures are recorded too (for the
  archive fallback) but always re-checked, so a transient error never sticks.
  The file is written atomically (temporary file + ``os.replace``); a corrupt
  or foreign cache file is ignored.
* ``offline=True`` only validates URL syntax: no request, no cache.
* ``record_archive=True`` stores a Wayback Machine address
  ``https://web.archive.org/web/<YYYYMMDD>/<url>`` per URL (no network call;
  the date is the last day the link was seen alive), which
  :func:`dead_links_with_archive` returns for links that the last check found
  dead, so the site can show an archived copy next to them.

Results come back one per :class:`LinkRef`, sorted by (source, line, url).
"""

from __future__ import annotations

import contextlib
import email.utils
import http.cookiejar
import json
import logging
import os
import re
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.client import HTTPException
from pathlib import Path
from typing import Any

__all__ = [
    "LinkRef",
    "LinkResult",
    "check_external",
    "dead_links_with_archive",
    "format_report",
    "load_ignore_file",
    "validate_url",
    "wayback_url",
]

log = logging.getLogger(__name__)

CACHE_VERSION = 1
DEFAULT_IGNORE_FILE = "linkcheck-ignore.txt"
USER_AGENT = "Mozilla/5.0 (compatible; alignment-concepts-linkcheck/1.0)"
MAX_REDIRECTS = 10
MAX_BODY_BYTES = 5 * 1024 * 1024
HEAD_FALLBACK_STATUSES = frozenset({403, 405, 501})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class LinkRef:
    """One occurrence of an external link in a source file."""

    url: str
    source: str
    line: int


@dataclass
class LinkResult:
    """The outcome of checking one :class:`LinkRef`.

    ``status`` is the final HTTP status (``None`` when no response came back,
    or in offline mode); ``ok`` is true for a final 2xx (and a present
    fragment when fragments are checked), and for ignored links.
    """

    ref: LinkRef
    status: int | None
    ok: bool
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    error: str | None = None
    archived: str | None = None
    from_cache: bool = False
    ignored: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ref"] = asdict(self.ref)
        return d


@dataclass
class _UrlOutcome:
    """The outcome for one unique URL (fragment stripped)."""

    status: int | None
    ok: bool
    final_url: str | None
    redirects: list[str]
    error: str | None
    anchors: list[str] | None = None  # ids/names on the page, when fetched with GET
    is_html: bool = False
    # A GET read the body, so the anchors are known (or the page is not HTML).
    body_checked: bool = False
    from_cache: bool = False


# --------------------------------------------------------------------------- URL helpers


def validate_url(url: str) -> str | None:
    """Return ``None`` when *url* is a syntactically valid http(s) URL, else why not."""
    if not url:
        return "invalid URL: empty"
    if any(ch.isspace() for ch in url):
        return "invalid URL: contains whitespace"
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        return f"invalid URL: {exc}"
    del port
    if parts.scheme.lower() not in ("http", "https"):
        return f"invalid URL: scheme {parts.scheme or '(none)'!r} is not http or https"
    if not parts.hostname:
        return "invalid URL: no host"
    return None


def _split_fragment(url: str) -> tuple[str, str]:
    base, _, frag = url.partition("#")
    return base, urllib.parse.unquote(frag)


def _host_key(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{host}:{port}"


def wayback_url(url: str, when: datetime | None = None) -> str:
    """The Wayback Machine address of *url* nearest to day *when* (default: today, UTC)."""
    when = when or datetime.now(UTC)
    return f"https://web.archive.org/web/{when:%Y%m%d}/{url}"


def load_ignore_file(path: str | os.PathLike[str] = DEFAULT_IGNORE_FILE) -> list[str]:
    """Read one regular expression per line; blank lines and ``#`` comments are skipped.

    A missing file gives an empty list. An invalid expression raises
    ``ValueError`` naming the file and line.
    """
    p = Path(path)
    if not p.is_file():
        return []
    patterns: list[str] = []
    for lineno, raw in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            re.compile(line)
        except re.error as exc:
            raise ValueError(f"{p}:{lineno}: invalid regular expression {line!r}: {exc}") from exc
        patterns.append(line)
    return patterns


def _parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class _AnchorParser(HTMLParser):
    """Collects fragment targets: ``id`` on any element, ``name`` on ``<a>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, val in attrs:
            if val is None:
                continue
            if key == "id" or (key == "name" and tag == "a"):
                self.anchors.add(val)

    handle_startendtag = handle_starttag


def _fragment_found(frag: str, anchors: Sequence[str]) -> bool:
    """Whether ``#frag`` points somewhere on a page with these ids/names.

    ``#top`` always works in HTML; a text fragment (``#:~:text=``) is not an
    anchor; GitHub renders Markdown heading ids with a ``user-content-`` prefix
    and resolves ``#x`` to them with JavaScript.
    """
    if frag.startswith(":~:") or frag.lower() == "top":
        return True
    found = set(anchors)
    return frag in found or f"user-content-{frag}" in found


def _anchors_in(body: bytes, charset: str | None) -> list[str]:
    parser = _AnchorParser()
    # A broken page still yields what was parsed before the error.
    with contextlib.suppress(Exception):
        parser.feed(body.decode(charset or "utf-8", errors="replace"))
        parser.close()
    return sorted(parser.anchors)


# --------------------------------------------------------------------------- HTTP


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Make urllib hand every 3xx back to us so that hops can be recorded."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class _Hop:
    status: int | None
    headers: Any = None
    body: bytes | None = None
    error: str | None = None
    retry: bool = True  # for a failure without a status: worth another try?


class _Checker:
    def __init__(
        self,
        *,
        per_host: int,
        timeout: float,
        retries: int,
        backoff: float,
        max_retry_after: float,
        user_agent: str,
    ) -> None:
        self.per_host = max(1, per_host)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.user_agent = user_agent
        self._host_locks: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def _host_sem(self, url: str) -> threading.BoundedSemaphore:
        key = _host_key(url)
        with self._lock:
            sem = self._host_locks.get(key)
            if sem is None:
                sem = self._host_locks[key] = threading.BoundedSemaphore(self.per_host)
            return sem

    def _once(self, opener: urllib.request.OpenerDirector, url: str, method: str, want_body: bool) -> _Hop:
        req = urllib.request.Request(
            url,
            method=method,
            headers={
                "User-Agent": self.user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "Accept-Encoding": "identity",
            },
        )
        with self._host_sem(url):
            try:
                with opener.open(req, timeout=self.timeout) as resp:
                    body = resp.read(MAX_BODY_BYTES) if want_body and method == "GET" else None
                    return _Hop(resp.status, resp.headers, body)
            except urllib.error.HTTPError as exc:
                with contextlib.suppress(Exception):
                    exc.close()
                return _Hop(exc.code, exc.headers)
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                    return _Hop(None, error="timeout")
                if isinstance(reason, ssl.SSLError):  # a bad certificate does not heal on retry
                    return _Hop(None, error=f"TLS error: {reason}", retry=False)
                return _Hop(None, error=f"connection error: {reason}")
            except TimeoutError:
                return _Hop(None, error="timeout")
            except ssl.SSLError as exc:
                return _Hop(None, error=f"TLS error: {exc}", retry=False)
            except ValueError as exc:
                return _Hop(None, error=f"invalid URL: {exc}", retry=False)
            except (HTTPException, OSError) as exc:
                return _Hop(None, error=f"connection error: {exc.__class__.__name__}: {exc}")

    def _request(self, opener: urllib.request.OpenerDirector, url: str, method: str, want_body: bool) -> _Hop:
        """One hop, with retries and backoff."""
        attempt = 0
        while True:
            hop = self._once(opener, url, method, want_body)
            transient = hop.status in RETRY_STATUSES or (hop.status is None and hop.retry)
            if not transient or attempt >= self.retries:
                return hop
            delay = self.backoff * (2**attempt)
            if hop.status in RETRY_AFTER_STATUSES and hop.headers is not None:
                ra = _parse_retry_after(hop.headers.get("Retry-After"))
                if ra is not None:
                    delay = ra
            time.sleep(min(max(delay, 0.0), self.max_retry_after))
            attempt += 1

    def _chain(self, url: str, method: str, want_body: bool) -> tuple[_Hop, str, list[str]]:
        """Follow redirects from *url*; return the last hop, final URL and the hops.

        Cookies set along the chain are sent back (some publishers redirect to
        the same URL once a cookie is set): coming back to a URL is a loop
        only when no cookie was set since the last visit.
        """
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(_NoRedirect(), urllib.request.HTTPCookieProcessor(jar))
        current = url
        seen = {url: 0}
        redirects: list[str] = []
        for _ in range(MAX_REDIRECTS + 1):
            hop = self._request(opener, current, method, want_body)
            if hop.status not in REDIRECT_STATUSES:
                return hop, current, redirects
            location = hop.headers.get("Location") if hop.headers is not None else None
            if not location:
                return (
                    _Hop(hop.status, error="redirect without Location"),
                    current,
                    redirects,
                )
            nxt = urllib.parse.urljoin(current, location.strip())
            nxt = nxt.partition("#")[0]
            redirects.append(nxt)
            if nxt in seen and seen[nxt] == len(jar):
                return _Hop(hop.status, error="redirect loop"), current, redirects
            bad = validate_url(nxt)
            if bad:
                return _Hop(hop.status, error=f"redirect to {bad}"), current, redirects
            seen[nxt] = len(jar)
            current = nxt
        return _Hop(hop.status, error="too many redirects"), current, redirects

    def check(self, url: str, want_anchors: bool) -> _UrlOutcome:
        method = "GET" if want_anchors else "HEAD"
        hop, final, redirects = self._chain(url, method, want_anchors)
        if method == "HEAD" and hop.error is None and hop.status in HEAD_FALLBACK_STATUSES:
            hop, final, redirects = self._chain(url, "GET", False)
            method = "GET"
        ok = hop.error is None and hop.status is not None and 200 <= hop.status < 300
        error = hop.error
        if error is None and not ok:
            error = f"HTTP {hop.status}"
        anchors = None
        is_html = False
        body_checked = ok and method == "GET" and hop.body is not None and hop.headers is not None
        if body_checked:
            ctype = hop.headers.get_content_type() if hasattr(hop.headers, "get_content_type") else ""
            is_html = ctype in ("text/html", "application/xhtml+xml")
            if is_html:
                anchors = _anchors_in(hop.body, hop.headers.get_content_charset())
        return _UrlOutcome(
            status=hop.status,
            ok=ok,
            final_url=final if redirects else url,
            redirects=redirects,
            error=error,
            anchors=anchors,
            is_html=is_html,
            body_checked=body_checked,
        )


# --------------------------------------------------------------------------- cache


def _load_cache(path: Path) -> dict[str, dict[str, Any]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("link cache %s unreadable (%s); ignoring it", path, exc)
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("link cache %s is corrupt; ignoring it", path)
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("entries"), dict):
        log.warning("link cache %s has an unknown format; ignoring it", path)
        return {}
    entries: dict[str, dict[str, Any]] = {}
    for url, e in data["entries"].items():
        if (
            isinstance(url, str)
            and isinstance(e, dict)
            and isinstance(e.get("checked_at"), (int, float))
            and isinstance(e.get("ok"), bool)
            and (e.get("status") is None or isinstance(e.get("status"), int))
            and isinstance(e.get("redirects", []), list)
        ):
            entries[url] = e
    return entries


def _write_cache(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(
        {"version": CACHE_VERSION, "entries": entries},
        indent=1,
        sort_keys=True,
        ensure_ascii=False,
    )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(payload + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _outcome_from_cache(e: dict[str, Any]) -> _UrlOutcome:
    anchors = e.get("anchors")
    return _UrlOutcome(
        status=e.get("status"),
        ok=bool(e.get("ok")),
        final_url=e.get("final_url"),
        redirects=[str(r) for r in e.get("redirects", [])],
        error=e.get("error"),
        anchors=[str(a) for a in anchors] if isinstance(anchors, list) else None,
        is_html=bool(e.get("is_html", False)),
        body_checked=bool(e.get("body_checked", False)),
        from_cache=True,
    )


def dead_links_with_archive(
    cache_path: str | os.PathLike[str] = ".cache/links.json",
) -> dict[str, str]:
    """``{url: archived_copy}`` for every URL the last check found dead.

    The archived address is the one recorded while the link was alive when
    there is one (``record_archive=True``), else one for the day of the check.
    Keys are URLs without fragment, as written in the cache.
    """
    out: dict[str, str] = {}
    for url, e in sorted(_load_cache(Path(cache_path)).items()):
        if e.get("ok"):
            continue
        archived = e.get("archived")
        if not isinstance(archived, str) or not archived:
            when = datetime.fromtimestamp(float(e["checked_at"]), UTC)
            archived = wayback_url(url, when)
        out[url] = archived
    return out


# --------------------------------------------------------------------------- main API


def check_external(
    refs: Iterable[LinkRef],
    *,
    cache_path: str | os.PathLike[str] | None = ".cache/links.json",
    ttl_days: float = 7,
    concurrency: int = 16,
    per_host: int = 2,
    timeout: float = 10.0,
    retries: int = 3,
    ignore: Sequence[str | re.Pattern[str]] = (),
    ignore_file: str | os.PathLike[str] | None = None,
    check_fragments: bool = False,
    offline: bool = False,
    record_archive: bool = False,
    backoff: float = 0.5,
    max_retry_after: float = 60.0,
    user_agent: str = USER_AGENT,
) -> list[LinkResult]:
    """Check every external link in *refs*; one :class:`LinkResult` per ref.

    *ignore* holds regular expressions matched with ``re.search`` against the
    full URL; *ignore_file* (e.g. ``"linkcheck-ignore.txt"``) adds those read
    with :func:`load_ignore_file`. Ignored refs come back with ``ok=True``,
    ``ignored=True`` and no request. ``cache_path=None`` disables the cache.
    The result is sorted by (source, line, url).
    """
    refs = list(refs)
    patterns = [p if isinstance(p, re.Pattern) else re.compile(p) for p in ignore]
    if ignore_file is not None:
        patterns += [re.compile(p) for p in load_ignore_file(ignore_file)]

    results: list[LinkResult] = []
    to_check: list[LinkRef] = []
    for ref in refs:
        if any(p.search(ref.url) for p in patterns):
            results.append(LinkResult(ref, None, True, ignored=True))
            continue
        bad = validate_url(ref.url)
        if bad:
            results.append(LinkResult(ref, None, False, error=bad))
            continue
        if offline:
            results.append(LinkResult(ref, None, True))
            continue
        to_check.append(ref)

    if to_check:
        results += _check_online(
            to_check,
            cache_path=Path(cache_path) if cache_path is not None else None,
            ttl_days=ttl_days,
            concurrency=concurrency,
            checker=_Checker(
                per_host=per_host,
                timeout=timeout,
                retries=retries,
                backoff=backoff,
                max_retry_after=max_retry_after,
                user_agent=user_agent,
            ),
            check_fragments=check_fragments,
            record_archive=record_archive,
        )
    results.sort(key=lambda r: (r.ref.source, r.ref.line, r.ref.url))
    return results


def _interleave_hosts(urls: list[str]) -> list[str]:
    """Round-robin over hosts so that one busy host does not hold every worker."""
    by_host: dict[str, list[str]] = {}
    for u in urls:
        by_host.setdefault(_host_key(u), []).append(u)
    queues = [by_host[h] for h in sorted(by_host)]
    out: list[str] = []
    for i in range(max(len(q) for q in queues)):
        out += [q[i] for q in queues if i < len(q)]
    return out


def _check_online(
    refs: list[LinkRef],
    *,
    cache_path: Path | None,
    ttl_days: float,
    concurrency: int,
    checker: _Checker,
    check_fragments: bool,
    record_archive: bool,
) -> list[LinkResult]:
    now = time.time()
    cache = _load_cache(cache_path) if cache_path is not None else {}
    ttl = ttl_days * 86400.0

    # Unique URLs (fragment stripped); a URL needs its anchors when any ref
    # to it carries a fragment and fragments are checked.
    want_anchors: dict[str, bool] = {}
    for ref in refs:
        base, frag = _split_fragment(ref.url)
        want_anchors[base] = want_anchors.get(base, False) or (check_fragments and bool(frag))

    outcomes: dict[str, _UrlOutcome] = {}
    pending: list[str] = []
    for base in sorted(want_anchors):
        e = cache.get(base)
        fresh = (
            e is not None
            and e.get("ok") is True
            and 0 <= now - float(e["checked_at"]) < ttl
            and (not want_anchors[base] or e.get("body_checked") is True)
        )
        if fresh:
            outcomes[base] = _outcome_from_cache(e)
        else:
            pending.append(base)

    if pending:
        pending = _interleave_hosts(pending)
        workers = max(1, min(concurrency, len(pending)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkcheck") as pool:
            futures = {u: pool.submit(checker.check, u, want_anchors[u]) for u in pending}
            for u, fut in futures.items():
                outcomes[u] = fut.result()

    checked_day = datetime.fromtimestamp(now, UTC)
    for base in pending:
        o = outcomes[base]
        old = cache.get(base, {})
        entry: dict[str, Any] = {
            "checked_at": now,
            "status": o.status,
            "ok": o.ok,
            "final_url": o.final_url,
            "redirects": o.redirects,
            "error": o.error,
            "is_html": o.is_html,
            "body_checked": o.body_checked,
        }
        if o.anchors is not None:
            entry["anchors"] = o.anchors
        archived = old.get("archived") if isinstance(old.get("archived"), str) else None
        if record_archive and (o.ok or archived is None):
            # Dated the last day the link was seen alive; a dead link keeps its old date.
            archived = wayback_url(base, checked_day)
        if archived:
            entry["archived"] = archived
        cache[base] = entry

    if cache_path is not None and pending:
        _write_cache(cache_path, cache)

    results: list[LinkResult] = []
    for ref in refs:
        base, frag = _split_fragment(ref.url)
        o = outcomes[base]
        ok, error = o.ok, o.error
        if ok and check_fragments and frag and o.is_html and o.anchors is not None and not _fragment_found(frag, o.anchors):
            ok, error = False, f"missing fragment #{frag}"
        archived = cache.get(base, {}).get("archived") if record_archive else None
        results.append(
            LinkResult(
                ref=ref,
                status=o.status,
                ok=ok,
                final_url=o.final_url,
                redirects=list(o.redirects),
                error=error,
                archived=archived,
                from_cache=o.from_cache,
            )
        )
    return results


# --------------------------------------------------------------------------- reports


def _gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def _label(r: LinkResult) -> str:
    if r.ignored:
        return "IGNORED"
    if r.status is None:
        return "OK" if r.ok else "ERROR"
    return str(r.status)


def format_report(results: Sequence[LinkResult], fmt: str = "text", *, only_failures: bool = False) -> str:
    """Render *results*.

    * ``text``: ``path:line: STATUS url (-> final)`` per result, with
      ``[error]`` appended for failures; ``only_failures`` drops the rest.
    * ``json``: ``{"summary": {...}, "results": [...]}`` (all results).
    * ``github``: one ``::error file=…,line=…,title=…::…`` workflow command per failure.
    """
    results = sorted(results, key=lambda r: (r.ref.source, r.ref.line, r.ref.url))
    failures = [r for r in results if not r.ok]
    if fmt == "json":
        return json.dumps(
            {
                "summary": {
                    "total": len(results),
                    "ok": sum(1 for r in results if r.ok and not r.ignored),
                    "failed": len(failures),
                    "ignored": sum(1 for r in results if r.ignored),
                },
                "results": [r.to_dict() for r in results],
            },
            indent=2,
            sort_keys=True,
        )
    if fmt == "text":
        lines = []
        for r in failures if only_failures else results:
            line = f"{r.ref.source}:{r.ref.line}: {_label(r)} {r.ref.url}"
            if r.final_url and r.redirects:
                line += f" (-> {r.final_url})"
            if r.error:
                line += f" [{r.error}]"
            if not r.ok and r.archived:
                line += f" archived: {r.archived}"
            lines.append(line)
        return "\n".join(lines)
    if fmt == "github":
        lines = []
        for r in failures:
            msg = f"{_label(r)} {r.ref.url}"
            if r.error:
                msg += f" ({r.error})"
            if r.archived:
                msg += f" archived copy: {r.archived}"
            lines.append(
                f"::error file={_gh_escape_prop(r.ref.source)},line={int(r.ref.line)},"
                f"title={_gh_escape_prop('Dead external link')}::{_gh_escape_data(msg)}"
            )
        return "\n".join(lines)
    raise ValueError(f"unknown report format {fmt!r} (text, json or github)")
