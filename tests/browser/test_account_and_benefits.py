"""Browser tests of issue 11 on the local stack: a payment shows in 王芳's pension account at
once, in a year marked 暂计 with a plain explanation; 刘强 sees his resident pension
(城乡居民基本养老金) month by month, named as what it is."""

from __future__ import annotations

import re

from playwright.sync_api import expect

try:
    from .flows import make_resident, sign_in
    from .test_payments_flow import ORDER_URL, go_to_bank, start_order
except ImportError:  # tests/browser collected as rootdir-relative modules
    from flows import make_resident, sign_in
    from test_payments_flow import ORDER_URL, go_to_bank, start_order

WANG = "371481199004225625"
WANG_PASSWORD = "Wf2026pay"
# A fresh copy of 刘强 (same history, new ID number): other tests need the demo 刘强 still new.
LIU, LIU_PHONE, LIU_PASSWORD = "371403195501019956", "13900009956", "Lq2026pension"


def account_balance(page, stack) -> int:
    page.goto(f"{stack.url}/records/pension-account.html")
    balance = page.locator("#balance")
    expect(balance).to_contain_text("¥")
    yuan = re.search(r"¥([\d,]+\.\d{2})", balance.inner_text()).group(1)
    return int(yuan.replace(",", "").replace(".", ""))


def test_a_payment_shows_in_the_pension_account_at_once_marked_provisional(page, stack):
    sign_in(page, stack, WANG, WANG_PASSWORD)
    before = account_balance(page, stack)
    _, months = start_order(page, stack, 1)
    go_to_bank(page, "ccb")
    page.click("text=立即支付")
    page.wait_for_url(ORDER_URL)
    expect(page.locator("#status-text")).to_contain_text("缴费成功", timeout=30000)

    after = account_balance(page, stack)
    assert after > before
    year = months[0][:4]
    row = page.locator("#account-table tbody tr", has_text=f"{year}年")
    expect(row.locator(".tag-provisional")).to_contain_text("暂计")
    note = page.locator("#provisional-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("暂计")
    expect(note).to_contain_text("年度结算后以正式数据为准")


def test_liu_qiang_sees_his_resident_pension_named_as_such(page, stack):
    make_resident(stack, "刘强", LIU, LIU_PHONE, LIU_PASSWORD)
    sign_in(page, stack, LIU, LIU_PASSWORD)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{stack.url}/records/pension-payments.html")
    expect(page.locator("h1")).to_have_text("养老待遇发放")
    page.fill("#from-month", "2015-01")
    page.fill("#to-month", "2015-12")
    page.click("#range-button")
    rows = page.locator("#payments tbody tr")
    expect(rows).to_have_count(11)  # since 2015-02
    expect(rows.first).to_contain_text("2015年12月")  # newest first
    expect(rows.last).to_contain_text("2015年2月")
    expect(rows.first).to_contain_text("城乡居民基本养老金")
    expect(rows.first).to_contain_text("基础养老金")
    expect(page.locator("#payments")).not_to_contain_text("退休金")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
