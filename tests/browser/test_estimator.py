"""Browser test of the pension estimator (养老金测算) on the local stack: 张伟 opens it from the home
page, sees his own record and the estimate at his statutory retirement month (nominal and in
today's money), chooses another month (whole age and age with months) and sees the result update; an out-of-range assumption is refused next to its field; 李秀英 (retired)
is sent to her payment history instead."""

from __future__ import annotations

from playwright.sync_api import expect

try:
    from .flows import sign_in
except ImportError:  # tests/browser collected as rootdir-relative modules
    from flows import sign_in

ZHANG = "371402198503142314"
ZHANG_PASSWORD = "Zw2026card"
LI = "37142519620708352X"
LI_PASSWORD = "Lxy2026rec"


def test_zhang_wei_changes_the_retirement_age_and_the_estimate_updates(page, stack):
    sign_in(page, stack, ZHANG, ZHANG_PASSWORD)
    page.goto(f"{stack.url}/home.html")
    page.get_by_role("link", name="养老金测算").click()
    page.wait_for_url("**/records/estimate.html")

    facts = page.locator("#facts")
    expect(facts).to_contain_text("1985年3月 / 男")
    expect(facts).to_contain_text("2008年1月")  # first month of his record
    expect(facts).to_contain_text("63周岁，2048年3月退休")  # statutory age, reform fully applied
    expect(page.locator("#retire-period")).to_have_value("204803")
    expect(page.locator("#base-index")).to_have_value("1.15")  # his latest base ÷ average wage
    total = page.locator("#estimate-total")
    expect(total).to_contain_text("基本养老金合计约 ¥")
    expect(total).to_contain_text("折合今天的钱约 ¥")
    parts = page.locator("#parts-table tbody tr")
    expect(parts).to_have_count(2)
    expect(parts.nth(0)).to_contain_text("基础养老金")
    expect(parts.nth(1)).to_contain_text("个人账户养老金")
    expect(parts.nth(1)).to_contain_text("÷ 117（63周岁退休的计发月数）")
    at_63 = total.text_content()

    page.select_option("#retire-period", "204503")
    expect(page.locator("#result")).to_contain_text("2045年3月退休（60周岁）")
    expect(parts.nth(1)).to_contain_text("÷ 139（60周岁退休的计发月数）")
    expect(total).not_to_have_text(at_63)
    page.select_option("#retire-period", "204508")
    expect(parts.nth(1)).to_contain_text("÷ 136（60周岁5个月退休的计发月数）")

    page.fill("#base-index", "3.5")
    page.click("#estimate-button")
    error = page.locator("#estimate-form .field-error")
    expect(error).to_contain_text("0.60至3.00")
    expect(page.locator("#base-index")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#base-index")).to_be_focused()

    page.set_viewport_size({"width": 320, "height": 640})
    page.click("#defaults-button")
    expect(page.locator("#retire-period")).to_have_value("204803")
    expect(total).to_have_text(at_63)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_li_xiuying_is_told_she_already_draws_a_pension(page, stack):
    sign_in(page, stack, LI, LI_PASSWORD)
    page.goto(f"{stack.url}/records/estimate.html")
    expect(page.locator("#estimate-status")).to_contain_text("正在按月领取基本养老金")
    expect(page.locator("#estimate-form")).to_be_hidden()
    page.click("#estimate-link")
    page.wait_for_url("**/records/pension-payments.html")
