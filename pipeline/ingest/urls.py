"""Canonical article URLs: one spelling per article, tracking parameters and fragments removed."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

# Parameters courlan's tracker list misses but news sites and feed readers add to links.
EXTRA_TRACKING = re.compile(
    r"^(?:ocid|cmpid|icid|at_[a-z_]+|_ga|_gl|_hs[a-z]+|hsa_[a-z]+|ito|mbid|sr_share|smid|rss|wt\.[a-z_]+|s_cid)$",
    re.IGNORECASE,
)
PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


class InvalidURL(ValueError):
    """A link that is not an absolute http(s) URL."""


def canonical_url(url: str, strip: frozenset[str] = frozenset()) -> str:
    """The article's canonical spelling: lowercase scheme and host, default port, fragment and trackers gone,
    remaining query parameters sorted. `strip` names further parameters to drop (case-insensitive)."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidURL(f"not an absolute http(s) URL: {url!r}")
    try:
        normalized = normalize_url(cleaned, strict=False)
    except ValueError as error:  # courlan raises on unparsable ports and the like
        raise InvalidURL(f"cannot normalize {url!r}: {error}") from error
    parts = urlsplit(normalized)
    lowered = {name.lower() for name in strip}
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not EXTRA_TRACKING.match(name) and name.lower() not in lowered
    ]
    path = PERCENT_ESCAPE.sub(lambda match: match.group(0).upper(), parts.path or "/")
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(sorted(query)), ""))


def host_of(url: str) -> str:
    """The host (with port, if any) a URL points at: the unit of politeness limits."""
    return urlsplit(url).netloc.lower()


def trusted_canonical(fetched: str, declared: str | None, strip: frozenset[str] = frozenset()) -> str:
    """The page's declared canonical URL when it is believable, else the fetched URL, canonicalized.

    A declared canonical is ignored when it points at another host or at the site's front page from an
    article page (a common template mistake that would merge every article into one)."""
    fetched_canonical = canonical_url(fetched, strip)
    if not declared:
        return fetched_canonical
    try:
        declared_canonical = canonical_url(declared, strip)
    except InvalidURL:
        return fetched_canonical
    if host_of(declared_canonical) != host_of(fetched_canonical):
        return fetched_canonical
    if urlsplit(declared_canonical).path in ("", "/") and urlsplit(fetched_canonical).path not in ("", "/"):
        return fetched_canonical
    return declared_canonical
