"""The static site as S3 objects: content types, cache headers and fingerprinted assets.

`static_site/` is served as it is by the local stack. For S3 + CloudFront every CSS, JS, image
and font also gets a content-hashed copy (`js/common.3f2a9c1b7d.js`) that is cached for a year
and marked immutable; the HTML pages (and CSS `url(...)`) are rewritten to point to those
copies, and are themselves served `no-cache`, so a deploy is visible at once while assets are
fetched only when they change. The original names stay available (`no-cache`) for anything that
builds a path at run time.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = ROOT / "static_site"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
}
FINGERPRINTED = {".css", ".js", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".woff2", ".woff"}
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
SKIP = {".DS_Store", "Thumbs.db"}

_ATTR = re.compile(r"""(?P<attr>\b(?:src|href))=(?P<q>["'])(?P<url>[^"'#?]+)(?P<rest>[^"']*)(?P=q)""")
_CSS_URL = re.compile(r"""url\((?P<q>["']?)(?P<url>[^"')#?]+)(?P<rest>[^"')]*)(?P=q)\)""")


@dataclass(frozen=True)
class SiteObject:
    key: str
    body: bytes
    content_type: str
    cache_control: str


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def fingerprint_name(key: str, body: bytes) -> str:
    stem, ext = posixpath.splitext(key)
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:10]}{ext}"


def _resolve(ref_from: str, url: str) -> str | None:
    """The site key a reference in `ref_from` points to, or None for external/data URLs."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) or url.startswith("//"):
        return None
    if url.startswith("/"):
        return posixpath.normpath(url.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(ref_from), url))


def _rewrite(text: str, key: str, pattern: re.Pattern, mapping: dict[str, str]) -> str:
    def repl(match: re.Match) -> str:
        target = _resolve(key, match.group("url"))
        if target not in mapping:
            return match.group(0)
        url = match.group("url")
        new = (
            "/" + mapping[target]
            if url.startswith("/")
            else posixpath.relpath(mapping[target], posixpath.dirname(key) or ".")
        )
        return match.group(0).replace(url, new, 1)

    return pattern.sub(repl, text)


def build(site_dir: Path = SITE_DIR) -> list[SiteObject]:
    """Every object to upload, HTML rewritten to fingerprinted assets."""
    files = {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file() and p.name not in SKIP
    }
    mapping: dict[str, str] = {}
    objects: list[SiteObject] = []
    # Assets other than CSS first (their names go into CSS), then CSS, then HTML.
    order = sorted(files, key=lambda k: (k.endswith(".html"), k.endswith(".css"), k))
    for key in order:
        body, ext = files[key], posixpath.splitext(key)[1].lower()
        if ext == ".css":
            body = _rewrite(body.decode("utf-8"), key, _CSS_URL, mapping).encode("utf-8")
        elif ext == ".html":
            body = _rewrite(body.decode("utf-8"), key, _ATTR, mapping).encode("utf-8")
        objects.append(SiteObject(key, body, content_type(key), NO_CACHE))
        if ext in FINGERPRINTED:
            mapping[key] = fingerprint_name(key, body)
            objects.append(SiteObject(mapping[key], body, content_type(key), IMMUTABLE))
    return objects


def upload(s3, bucket: str, objects: list[SiteObject], log=print) -> int:
    """Put every object with its content type and cache header; return how many."""
    for obj in objects:
        s3.put_object(
            Bucket=bucket,
            Key=obj.key,
            Body=obj.body,
            ContentType=obj.content_type,
            CacheControl=obj.cache_control,
        )
    log(f"uploaded {len(objects)} site objects to s3://{bucket}/")
    return len(objects)
