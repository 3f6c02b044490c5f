"""Fast, browser-free checks of every page in static_site/: links and assets resolve to files
that exist, each page loads common.js, nothing inline (CSP `default-src 'self'`), simplified
Chinese (`lang="zh-CN"`), and every form control has a label."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "static_site"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "site"
PAGES = sorted(SITE.rglob("*.html"))
SCRIPTS = sorted(SITE.rglob("*.js"))
LABELLED_BY_ARIA = ("aria-label", "aria-labelledby")
NEEDS_NO_LABEL = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Page:
    path: Path
    lang: str | None = None
    refs: list[str] = field(default_factory=list)  # href/src/action values
    scripts: list[str] = field(default_factory=list)  # script src values
    inline: list[str] = field(default_factory=list)  # inline script/style/handlers found
    controls: list[dict] = field(default_factory=list)  # inputs/selects/textareas
    label_for: set[str] = field(default_factory=set)
    body_attrs: dict = field(default_factory=dict)
    main_ids: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.label_depth = 0
        self.in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        page = self.page
        if tag == "html":
            page.lang = a.get("lang")
        if tag == "body":
            page.body_attrs = a
        if tag == "main":
            page.main_ids.append(a.get("id", ""))
        for name, value in a.items():
            if name.startswith("on"):
                page.inline.append(f"<{tag} {name}=…>")
            if name == "style":
                page.inline.append(f"<{tag} style=…>")
            if name in ("href", "src", "action") and value.strip().lower().startswith("javascript:"):
                page.inline.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            page.inline.append("<style> element")
        if tag == "script":
            if a.get("src"):
                page.scripts.append(a["src"])
            else:
                page.inline.append("<script> without src")
        for name in ("href", "src", "action"):
            if a.get(name):
                page.refs.append(a[name])
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                page.label_for.add(a["for"])
        if tag in ("input", "select", "textarea"):
            page.controls.append({"tag": tag, "inside_label": self.label_depth > 0, **a})

    def handle_endtag(self, tag):
        if tag == "label" and self.label_depth:
            self.label_depth -= 1


def parse(path: Path) -> Page:
    page = Page(path)
    _Parser(page).feed(path.read_text(encoding="utf-8"))
    return page


def resolve(ref: str, page_path: Path) -> Path | None:
    """The file a same-site reference points to, or None for other schemes/anchors."""
    parts = urlsplit(ref)
    if (
        parts.scheme
        or parts.netloc
        or ref.startswith("#")
        or ref.startswith("mailto:")
        or ref.startswith("tel:")
    ):
        return None
    target = (
        (SITE / parts.path.lstrip("/")) if parts.path.startswith("/") else (page_path.parent / parts.path)
    )
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def problems(page: Page) -> list[str]:
    found: list[str] = []
    if page.lang != "zh-CN":
        found.append(f'<html lang> is {page.lang!r}, not "zh-CN"')
    found += [f"inline code: {item}" for item in page.inline]
    for ref in page.refs:
        target = resolve(ref, page.path)
        if target is not None and not target.is_file():
            found.append(f"reference to a missing file: {ref}")
        if ref.startswith(("http://", "https://", "//")):
            found.append(f"external asset or link (no CDN): {ref}")
    if "/js/common.js" not in page.scripts:
        found.append("does not include /js/common.js")
    for control in page.controls:
        if control["tag"] == "input" and control.get("type", "text") in NEEDS_NO_LABEL:
            continue
        labelled = (
            control["inside_label"]
            or control.get("id") in page.label_for
            or any(control.get(k) for k in LABELLED_BY_ARIA)
        )
        if not labelled:
            found.append(f"form control without a label: <{control['tag']} name={control.get('name')!r}>")
    return found


def test_the_site_has_the_foundation_pages():
    names = {p.relative_to(SITE).as_posix() for p in PAGES}
    for expected in (
        "index.html",
        "activate.html",
        "forgot.html",
        "home.html",
        "info.html",
        "tasks.html",
        "404.html",
        "account/index.html",
        "account/password.html",
        "account/protection.html",
        "account/contact.html",
        "account/access-log.html",
    ):
        assert expected in names


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_page_follows_the_site_rules(path):
    assert problems(parse(path)) == []


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_page_declares_its_title_auth_mode_and_main(path):
    page = parse(path)
    assert page.body_attrs.get("data-title"), "body needs data-title (breadcrumb and <title>)"
    assert page.body_attrs.get("data-auth") in ("required", "public")
    assert page.main_ids == ["main"]


def test_the_checker_reports_every_kind_of_problem_in_a_bad_page():
    page = parse(FIXTURES / "bad_page.html")
    page.path = SITE / "bad_page.html"  # resolve links as if the page were in the site
    found = "\n".join(problems(page))
    assert "lang" in found
    assert "<script> without src" in found
    assert "<style> element" in found
    assert "style=" in found and "onclick=" in found
    assert "missing file: /does-not-exist.html" in found
    assert "javascript:" in found
    assert "does not include /js/common.js" in found
    assert "without a label: <input name='unlabelled'>" in found


PATH_IN_SCRIPT = re.compile(r"""["'](/[A-Za-z0-9_\-/]+\.html)(?:[?#][^"']*)?["']""")


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(SITE).as_posix())
def test_pages_named_in_scripts_exist(path):
    missing = [
        ref
        for ref in PATH_IN_SCRIPT.findall(path.read_text(encoding="utf-8"))
        if not (SITE / ref.lstrip("/")).is_file()
    ]
    assert missing == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(SITE).as_posix())
def test_scripts_never_inject_html(path):
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", source)


def test_home_page_groups_are_the_eight_of_the_seed_plus_account_settings():
    source = (SITE / "js" / "nav.js").read_text(encoding="utf-8")
    titles = re.findall(r'key: "(\w+)",\s*title: "([^"]+)"', source)
    assert [t for _, t in titles] == [
        "个人信息",
        "社会保险",
        "社保卡",
        "社保缴费",
        "打印业务",
        "社保待遇",
        "公共就业信息",
        "劳动关系",
        "账号设置",
    ]
