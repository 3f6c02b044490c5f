"""Browser tests of the home page that fits the resident and the pages around it, on the local
stack: 李秀英 (retired) opens on her latest pension payment and reaches the history, newest first;
王芳 (flexible worker) opens on her dues and goes from a payable gap to the payment form with those
months chosen; certificates preselect the resident's types and span and open the PDF in a new
tab; a verification code typed with spaces and full-width dashes is accepted; targets are at
least 24 px (44 px in elderly mode); the header does not shift the page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

try:
    from .flows import make_resident, sign_in
except ImportError:  # tests/browser collected as rootdir-relative modules
    from flows import make_resident, sign_in

LI = "37142519620708352X"
LI_PASSWORD = "Lxy2026rec"
# A fresh copy of 王芳's seeded history: the payment tests pay the demo 王芳's recent gaps.
WANG = ("371481199004229925", "13900009925", "Wf2026gap")

STAND_ALONE_TARGETS = """(min) => {
  const out = [];
  document.querySelectorAll('header a, header button, main a, main button, main select, main input').forEach((e) => {
    const box = e.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(e).visibility === 'hidden') return;
    if (e.type === 'checkbox' || e.type === 'radio' || e.type === 'hidden') return;
    // links inside a sentence are exempt (WCAG 2.5.8): the parent says more than the link
    if (e.tagName === 'A' && e.parentElement.textContent.trim() !== e.textContent.trim()
        && !e.matches('.btn, .target, .site-name, .greeting a, ul.list > li > a, .card li a, .breadcrumb a')) return;
    if (box.height < min) out.push((e.id || e.tagName) + ' ' + e.textContent.trim().slice(0, 20) + ' ' + Math.round(box.height));
  });
  return out;
}"""


def checked_months(page) -> list[str]:
    return page.eval_on_selector_all("input[name=months]:checked", "els => els.map(e => e.value)")


def test_li_xiuying_home_opens_with_her_latest_payment_and_the_history_newest_first(page, stack):
    sign_in(page, stack, LI, LI_PASSWORD)
    page.goto(f"{stack.url}/home.html")
    first = page.locator("#for-you")
    expect(first).to_have_attribute("data-kind", "retiree")
    expect(page.locator("#latest-payment")).to_have_text(
        re.compile(r"^上次发放：¥[\d,]+\.\d\d，\d{4}年\d{1,2}月\d{1,2}日发放（\d{4}年\d{1,2}月）$")
    )
    # her answer comes before the list of every function, which is still all there
    assert page.evaluate(
        "document.getElementById('for-you').compareDocumentPosition("
        "document.getElementById('feature-groups')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert page.locator("#feature-groups a").count() >= 20
    latest = page.locator("#latest-payment").inner_text()
    page.click("#payments-link")
    page.wait_for_url("**/records/pension-payments.html")
    rows = page.locator("#payments tbody tr")
    expect(rows.first).to_be_visible()
    shown = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert shown[0] in latest  # the same month, first
    months = [tuple(map(int, re.findall(r"\d+", text))) for text in shown]
    assert months == sorted(months, reverse=True)  # newest first


def test_wang_fang_home_shows_her_dues_and_a_gap_opens_the_payment_with_its_months(page, stack):
    id_number, phone, password = WANG
    make_resident(stack, "王芳", id_number, phone, password)
    sign_in(page, stack, id_number, password)
    page.goto(f"{stack.url}/home.html")
    expect(page.locator("#for-you")).to_have_attribute("data-kind", "flexible")
    pension = page.locator("#dues-list li[data-type='110']")
    expect(pension).to_contain_text("职工基本养老保险")
    expect(pension).to_contain_text("可在网上补缴")

    page.goto(f"{stack.url}/records/gaps.html")
    link = page.locator("section[data-type='110'] a.pay-gap").first
    expect(link).to_be_visible()
    wanted = parse_qs(urlparse(link.get_attribute("href")).query)["months"][0].split(",")
    expect(link).to_have_text(f"补缴这{len(wanted)}个月")
    link.click()
    page.wait_for_url("**/pay/new.html?kind=flexible_pension&months=*")
    page.wait_for_selector("#choose-form:not([hidden])")
    assert sorted(checked_months(page)) == sorted(wanted)
    expect(page.locator("#preview-total")).not_to_have_text("¥0.00")


def test_certificate_form_preselects_her_types_and_span_and_the_pdf_opens_in_a_new_tab(page, stack, browser):
    sign_in(page, stack, LI, LI_PASSWORD)
    page.goto(f"{stack.url}/records/certificates.html")
    expect(page.locator("#type-110")).to_be_checked()
    boxes = page.locator("input[name=type_code]")
    expect(boxes).to_have_count(5)
    assert page.locator("input[name=type_code]:checked").count() == 5
    expect(page.locator("#cert-from")).to_have_value("1985-01")
    expect(page.locator("#cert-to")).to_have_value("2017-07")  # her last contribution month
    page.click("#issue-button")
    code = page.locator("#issued-code")
    expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$"))
    with page.context.expect_page() as opened:
        page.click("#issued-download")
    opened.value.wait_for_load_state()
    assert page.url.endswith("/records/certificates.html")  # the portal stays open
    row = page.locator("#mine-table tbody tr", has_text=code.inner_text())
    with page.context.expect_page() as again:
        row.locator("[data-action=download]").click()
    again.value.wait_for_url(re.compile(r"certificates/[0-9A-Z]+\.pdf"))
    assert page.url.endswith("/records/certificates.html")

    typed = "　" + code.inner_text().replace("-", "－").lower() + " "  # full-width dashes, spaces
    public = browser.new_context(locale="zh-CN")
    visitor = public.new_page()
    visitor.goto(f"{stack.url}/verify.html")
    visitor.fill("#code", typed)
    visitor.click("#verify-button")
    expect(visitor.locator("#verify-valid")).to_contain_text("证明有效")
    public.close()


def test_targets_are_24px_and_44px_in_elderly_mode(page, stack):
    sign_in(page, stack, LI, LI_PASSWORD)
    for path in ("/home.html", "/tasks.html", "/records/certificates.html"):
        page.goto(f"{stack.url}{path}")
        page.wait_for_selector("body.sbp-ready")
        assert page.evaluate(STAND_ALONE_TARGETS, 24) == [], path
    page.click("#elderly-toggle")
    for path in ("/home.html", "/tasks.html", "/records/certificates.html"):
        page.goto(f"{stack.url}{path}")
        page.wait_for_selector("body.sbp-ready")
        assert page.evaluate(STAND_ALONE_TARGETS, 44) == [], path


def test_the_header_is_in_place_before_the_page_content_so_nothing_shifts(page, stack):
    sign_in(page, stack, LI, LI_PASSWORD)
    for path in ("/home.html", "/tasks.html"):
        page.goto(f"{stack.url}{path}")
        page.wait_for_selector("body.sbp-ready")
        page.wait_for_timeout(500)
        shift = page.evaluate("""() => new Promise((resolve) => {
          let total = 0;
          const moved = [];
          new PerformanceObserver((list) => {
            list.getEntries().forEach((e) => {
              if (e.hadRecentInput) return;
              total += e.value;
              moved.push(e.sources.map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) : '?').join(','));
            });
          }).observe({ type: 'layout-shift', buffered: true });
          setTimeout(() => resolve([total, moved]), 200);
        })""")
        assert shift[0] < 0.02, (path, shift)
