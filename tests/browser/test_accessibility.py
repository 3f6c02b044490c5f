"""Automated WCAG 2.2 AA audit of every page in static_site/ with axe-core (the pinned npm package
in tests/a11y, installed by `make test`), and a keyboard-only sign-in.

The public pages are audited signed out; the pages with data-auth="required" signed in as fresh
residents (copies of the demo residents 王芳 and 李秀英 under new ID numbers, made by
tests/a11y/fresh_resident.py, so the residents the other tests use are not touched). The page list
is read from the files present, so a new page is audited as soon as it exists. Each page is
audited as loaded and, for the states only reached by interaction (form errors, dialogs, result
tables, the steps of a payment order and of a card application, an issued certificate), after
that interaction; in standard mode, in elderly mode (html.elderly: larger type, its own colours)
and at 320 px, where a page must also not scroll sideways (WCAG 1.4.10). In standard and elderly
mode every Tab stop of every page must show a focus indicator with 3:1 against the colour around
it (WCAG 2.4.7, 1.4.11), which axe does not check.

axe is injected as a script tag; the site's CSP allows scripts from 'self' only, so the audit
contexts (and only these) are opened with bypass_csp=True.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

try:
    from .flows import captcha_answer, make_resident, sign_in
except ImportError:  # tests/browser collected as rootdir-relative modules
    from flows import captcha_answer, make_resident, sign_in

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "static_site"
AXE_JS = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Fresh residents: (copy of demo resident, new ID number, phone, password). Valid GB 11643 IDs
# with the templates' birth dates and sequence numbers no demo resident has.
RESIDENTS = {
    "王芳": ("371481199004229802", "13900009802", "A11y2026wf"),
    "李秀英": ("371425196207089809", "13900009809", "A11y2026lx"),
}
KEYBOARD_RESIDENT = ("王芳", "371481199004229829", "13900009829", "A11y2026kb")

VIEWPORT = {"width": 390, "height": 844}  # the phone size of conftest's `page`
MODES = {
    "standard": {"viewport": VIEWPORT, "elderly": False},
    "elderly": {"viewport": VIEWPORT, "elderly": True},
    "320px": {"viewport": {"width": 320, "height": 640}, "elderly": False},
}


def site_pages(auth: str) -> list[str]:
    """The URL paths of the pages whose <body data-auth> is `auth`, from the files present."""
    found = []
    for path in sorted(SITE.rglob("*.html")):
        match = re.search(r"<body\b[^>]*\bdata-auth=\"([a-z]+)\"", path.read_text(encoding="utf-8"))
        if match and match.group(1) == auth:
            found.append("/" + path.relative_to(SITE).as_posix())
    return found


@pytest.fixture(scope="module")
def residents(stack):
    """{template name: ID number} of the fresh residents."""
    return {like: make_resident(stack, like, *values) for like, values in RESIDENTS.items()}


@pytest.fixture
def audit_context(browser):
    """A context factory for one mode (viewport, elderly mode) with the CSP bypassed for axe."""
    opened = []

    def open_context(mode: str):
        settings = MODES[mode]
        context = browser.new_context(
            viewport=settings["viewport"], locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True
        )
        if settings["elderly"]:
            context.add_init_script("window.localStorage.setItem('sbp.elderly', '1');")
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def settle(page) -> None:
    """Wait until common.js has rendered the header and the page's own requests are answered."""
    page.wait_for_function("document.body && document.body.classList.contains('sbp-ready')")
    page.wait_for_load_state("networkidle")


def axe_violations(page) -> list[dict]:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: run `make test` (npm ci --prefix tests/a11y)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
             const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                     resultTypes: ['violations']});
             return result.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               targets: v.nodes.map(n => n.target.join(' '))}));
           }""",
        WCAG_TAGS,
    )


FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const parse = c => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1};
  };
  const lum = rgb => {
    const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (p, q) => { const [x, y] = [lum(p), lum(q)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
  // The colour around the element: what is painted just outside its left (or right) edge.
  const rect = el.getBoundingClientRect();
  const x = rect.left >= 6 ? rect.left - 5 : rect.right + 5;
  let node = document.elementsFromPoint(x, rect.top + rect.height / 2).find(n => n !== el && !el.contains(n))
             || el.parentElement;
  let behind = [255, 255, 255];
  for (; node; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c.a > 0) { behind = c.rgb; break; }
  }
  const style = getComputedStyle(el);
  const colours = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) colours.push(parse(style.outlineColor));
  (style.boxShadow.match(/rgba?\\([^)]*\\)/g) || []).forEach(c => colours.push(parse(c)));
  const shown = colours.filter(c => c && c.a > 0);
  const label = (el.textContent || '').trim().slice(0, 10);
  return {key: el.id || el.getAttribute('name') || (el.tagName.toLowerCase() + (label ? ' "' + label + '"' : '')),
          first: window.__a11yFirstFocus === el,
          focusVisible: el.matches(':focus-visible'), indicator: shown.length > 0,
          ratio: Math.round(Math.max(0, ...shown.map(c => ratio(c.rgb, behind))) * 100) / 100};
}"""
MIN_FOCUS_CONTRAST = 3.0  # WCAG 1.4.11: the focus indicator against the colours next to it


def focus_problem(focused: dict) -> str | None:
    if not focused["indicator"]:
        return "no visible focus indicator (outline or box-shadow)"
    if focused["ratio"] < MIN_FOCUS_CONTRAST:
        return f"focus indicator contrast {focused['ratio']}:1 against its background (needs {MIN_FOCUS_CONTRAST}:1)"
    return None


def tab_through(page, max_stops: int = 80) -> list[tuple[str, str]]:
    """Press Tab through the page; (element, problem) for each stop whose focus is not visible."""
    page.evaluate(
        "() => { if (document.activeElement) document.activeElement.blur(); window.__a11yFirstFocus = null; }"
    )
    found = []
    for _ in range(max_stops):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused is None or focused["first"]:
            break
        page.evaluate(
            "() => { window.__a11yFirstFocus = window.__a11yFirstFocus || document.activeElement; }"
        )
        problem = focus_problem(focused)
        if problem:
            found.append((focused["key"], problem))
    return found


def audit(page, url: str, path: str, mode: str) -> list[str]:
    """Open the page, run axe on it; one line per violating element, plus sideways scrolling at
    320 px and focus stops without a visible focus indicator (standard and elderly mode)."""
    page.goto(url + path)
    settle(page)
    here = re.sub(r"[?#].*$", "", page.url[len(url) :])
    if here != path:
        return [f"{path} [{mode}]: ended up on {here} instead of the page"]
    lines = [
        f"{path} [{mode}]: {v['id']} ({v['impact']}: {v['help']}) at {target}"
        for v in axe_violations(page)
        for target in v["targets"]
    ]
    if mode == "320px":
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            lines.append(f"{path} [{mode}]: reflow (the page scrolls sideways by {overflow}px at 320 px)")
    else:
        lines += [f"{path} [{mode}]: focus-visible at {key}: {problem}" for key, problem in tab_through(page)]
    return lines


def audit_state(page, path: str, state: str, mode: str) -> list[str]:
    """axe (and sideways scrolling at 320 px) on the page as it is now, after some interaction."""
    page.wait_for_load_state("networkidle")
    where = f"{path} ({state}) [{mode}]"
    lines = [
        f"{where}: {v['id']} ({v['impact']}: {v['help']}) at {target}"
        for v in axe_violations(page)
        for target in v["targets"]
    ]
    if mode == "320px":
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            lines.append(f"{where}: reflow (the page scrolls sideways by {overflow}px at 320 px)")
    return lines


# ---- states reached by interaction (errors, dialogs, tables, later steps) --------------------


def public_states(page, url, check) -> None:
    page.goto(url + "/index.html")
    settle(page)
    page.click("#login-button")
    page.wait_for_selector("#login-form .field-error")
    check("/index.html", "errors of an empty form")
    page.check("input[name=way][value=sms]")
    page.click("#sms-login-button")
    page.wait_for_selector("#sms-form .field-error")
    check("/index.html", "SMS sign-in, errors of an empty form")
    page.check("input[name=way][value=passkey]")
    page.wait_for_selector("#passkey-panel:not([hidden])")
    check("/index.html", "passkey sign-in")
    page.goto(url + "/forgot.html")
    settle(page)
    page.click("#start-form button[type=submit]")
    page.wait_for_selector("#start-form .field-error")
    check("/forgot.html", "errors of an empty form")
    page.click("#use-questions")
    page.wait_for_selector("#captcha-img[data-captcha-id]")
    page.click("#questions-start-form button[type=submit]")
    page.wait_for_selector("#questions-start-form .field-error")
    check("/forgot.html", "security-question way, errors of an empty form")
    page.goto(url + "/verify.html")
    settle(page)
    page.fill("#code", "AB12-CD34-EF56-GH78-JK90")
    page.click("#verify-button")
    page.wait_for_selector("#verify-result > *")
    check("/verify.html", "an unknown code")


def flexible_worker_states(page, url, check) -> None:
    """王芳's copy: the exit dialog, form errors, a payment order through its steps (then
    cancelled, so the months are free again), the card application, a certificate, a resident
    medical payment for someone not found, a statement and a data export generated."""
    page.goto(url + "/home.html")
    settle(page)
    page.click("#exit-button")
    page.wait_for_selector("dialog[open]")
    check("/home.html", "exit confirmation dialog")
    page.keyboard.press("Escape")
    page.goto(url + "/account/password.html")
    settle(page)
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#password-form .field-error")
    check("/account/password.html", "errors of an empty form")
    page.goto(url + "/account/passkeys.html")
    settle(page)
    page.click("#add-button")
    page.wait_for_selector("#confirm-form .field-error")
    check("/account/passkeys.html", "adding without confirmation")
    page.check("input[name=confirm_by][value=sms]")
    check("/account/passkeys.html", "SMS confirmation chosen")

    page.goto(url + "/pay/new.html?kind=flexible_pension")
    settle(page)
    page.locator("#months-list input:not([disabled])").first.check()
    check("/pay/new.html", "a month chosen, amounts shown")
    page.click("#next")
    page.wait_for_selector("#review-form:not([hidden])")
    check("/pay/order.html", "review step")
    page.click("#confirm")
    page.wait_for_selector("#bank-form:not([hidden])")
    check("/pay/order.html", "bank step")
    page.click("#cancel-bank")
    page.wait_for_selector("dialog[open]")
    check("/pay/order.html", "cancel confirmation dialog")
    page.click("dialog[open] [data-action=ok]")
    page.wait_for_selector("dialog[open]", state="detached")
    check("/pay/order.html", "cancelled order")

    page.goto(url + "/card/apply.html")
    settle(page)
    if page.locator("#start-button").is_visible():
        page.click("#start-button")
    page.wait_for_selector("#step-details:not([hidden])")
    check("/card/apply.html", "step 1 of an application")

    page.goto(url + "/records/certificates.html")
    settle(page)
    page.locator("#type-choices input").first.check()
    page.click("#issue-button")
    page.wait_for_selector("#issued .success")
    page.wait_for_selector("#mine-table")
    check("/records/certificates.html", "a certificate issued")
    page.locator("#mine-table [data-action=log]").first.click()
    page.wait_for_selector("#log-section:not([hidden])")
    check("/records/certificates.html", "its verification log")

    page.goto(url + "/pay/resident.html?kind=resident_medical")
    settle(page)
    page.check("#whom-other")
    page.fill("#member-id", "371402199001011239")
    page.fill("#member-name", "张三")
    page.click("#next")
    page.wait_for_selector("#resident-form .field-error")
    check("/pay/resident.html", "an insured person not found")
    page.goto(url + "/records/statement.html")
    settle(page)
    page.click("#statement-button")
    page.wait_for_selector("#statement-download")
    check("/records/statement.html", "a statement generated")
    page.goto(url + "/account/my-data.html")
    settle(page)
    page.click("#export-button")
    page.wait_for_selector("#export-download")
    check("/account/my-data.html", "the data export generated")


def retiree_states(page, url, check) -> None:
    """李秀英's copy: a year of contributions and a range of pension payments as tables."""
    page.goto(url + "/records/contributions.html?type=110")
    settle(page)
    page.click("#query-button")
    page.wait_for_selector("#result table")
    check("/records/contributions.html", "a year's contributions")
    page.goto(url + "/records/pension-payments.html")
    settle(page)
    page.click("#range-button")
    page.wait_for_selector("#payments table")
    check("/records/pension-payments.html", "this year's payments")


RESIDENT_STATES = {"王芳": flexible_worker_states, "李秀英": retiree_states}


@pytest.mark.parametrize("mode", list(MODES))
def test_every_public_page_passes_axe_wcag22_aa(stack, audit_context, mode):
    pages = site_pages("public")
    assert "/index.html" in pages
    page = audit_context(mode).new_page()
    found = [line for path in pages for line in audit(page, stack.url, path, mode)]
    public_states(page, stack.url, lambda path, state: found.extend(audit_state(page, path, state, mode)))
    assert not found, f"{len(found)} accessibility violation(s):\n" + "\n".join(found)


@pytest.mark.parametrize("mode", list(MODES))
def test_every_resident_page_passes_axe_wcag22_aa(stack, residents, audit_context, mode):
    pages = site_pages("required")
    assert "/home.html" in pages
    found = []
    for like, id_number in residents.items():
        page = audit_context(mode).new_page()
        sign_in(page, stack, id_number, stack.passwords[id_number])
        found.extend(f"({like}) {line}" for path in pages for line in audit(page, stack.url, path, mode))
        RESIDENT_STATES[like](
            page,
            stack.url,
            lambda path, state, like=like, page=page: found.extend(
                f"({like}) {line}" for line in audit_state(page, path, state, mode)
            ),
        )
    assert not found, f"{len(found)} accessibility violation(s):\n" + "\n".join(found)


@pytest.mark.parametrize("mode", ["standard", "elderly"])
def test_sign_in_form_can_be_completed_with_the_keyboard_alone_with_visible_focus(browser, stack, mode):
    like, id_number, phone, password = KEYBOARD_RESIDENT
    make_resident(stack, like, id_number, phone, password)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        if MODES[mode]["elderly"]:
            context.add_init_script("window.localStorage.setItem('sbp.elderly', '1');")
        page = context.new_page()
        page.goto(f"{stack.url}/index.html")
        page.wait_for_selector("#captcha-img[data-captcha-id]")
        typed = {"id_number": id_number, "password": password, "captcha_answer": captcha_answer(page, stack)}
        visited, problems = [], []
        for _ in range(25):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_JS)
            assert focused is not None, f"Tab left the page before reaching 登录: {visited}"
            visited.append(focused["key"])
            problem = focus_problem(focused)
            if problem:
                problems.append(f"{focused['key']}: {problem}")
            elif not focused["focusVisible"]:
                problems.append(f"{focused['key']}: the indicator is not drawn by :focus-visible")
            if focused["key"] in typed:
                page.keyboard.type(typed[focused["key"]])
            if focused["key"] == "login-button":
                break
        assert not problems, "focus is not visible enough:\n" + "\n".join(problems)
        order = [key for key in visited if key in ("id_number", "password", "captcha_answer", "login-button")]
        assert order == ["id_number", "password", "captcha_answer", "login-button"], f"Tab order: {visited}"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/home\.html$"))
        expect(page.locator("#greeting")).to_contain_text("王芳")
    finally:
        context.close()
