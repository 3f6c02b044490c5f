"""Browser tests of flexible-employment payment (seed 2.8) on the local stack with the bank
simulator: 王芳 pays two missed pension months at ccb; a payment that fails at the bank is paid
again (medical, so the pension months stay for the first test); an unpaid order waits in 待办事项 and resumes at its step. The result page always shows
the server's record. Each test has its own browser context (the `page` fixture)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

try:
    from .flows import sign_in
except ImportError:  # tests/browser collected as rootdir-relative modules
    from flows import sign_in

WANG = "371481199004225625"
WANG_PASSWORD = "Wf2026pay"
ORDER_URL = re.compile(r"/pay/order\.html\?no=P\w+")


def choose_months(page, count: int) -> list[str]:
    """Tick `count` free months, missed (欠缴) months first; return their YYYYMM values."""
    expect(page.locator("#choose-form")).to_be_visible()
    free = page.locator("#months-list input[name=months]:not([disabled]):not(:checked)")
    labels = page.locator("#months-list label")
    owed = [
        labels.nth(i).locator("input").get_attribute("value")
        for i in range(labels.count())
        if "欠缴" in labels.nth(i).inner_text() and labels.nth(i).locator("input").is_enabled()
    ]
    values = owed[:count]
    for i in range(free.count()):
        if len(values) >= count:
            break
        value = free.nth(i).get_attribute("value")
        if value not in values:
            values.append(value)
    assert len(values) == count, "王芳 has not enough payable months left"
    for value in values:
        page.check(f"#m-{value}")
    expect(page.locator("#preview-body tr")).to_have_count(count)
    return values


def start_order(page, stack, months: int, kind: str = "flexible_pension") -> tuple[str, list[str]]:
    page.goto(f"{stack.url}/pay/new.html?kind={kind}")
    chosen = choose_months(page, months)
    page.click("#next")
    page.wait_for_url(ORDER_URL)
    expect(page.locator("#review-form")).to_be_visible()
    expect(page.locator("#lines tr")).to_have_count(months)
    return page.url.split("no=")[1], chosen


def go_to_bank(page, bank: str):
    page.click("#confirm")
    expect(page.locator("#bank-form")).to_be_visible()
    expect(page.locator("#steps [aria-current=step]")).to_contain_text("选择银行支付")
    page.check(f"#bank-{bank}")
    page.click("#pay")
    page.wait_for_url(re.compile(rf"/{bank}/checkout\?"))
    expect(page.locator("#merchant")).to_contain_text("社会保险")


def history_status(page, stack, period: str) -> str | None:
    """The month's status in her contribution history (the records API, all pages of the year)."""
    cursor = ""
    while True:
        answer = page.request.get(
            f"{stack.url}/api/insurance/110/contributions?year={period[:4]}"
            + (f"&cursor={cursor}" if cursor else "")
        ).json()
        for item in answer["items"]:
            if item["period"] == period:
                return item["status"]
        cursor = answer.get("next_cursor")
        if not cursor:
            return None


def test_wang_fang_pays_two_missed_pension_months_at_ccb(page, stack):
    sign_in(page, stack, WANG, WANG_PASSWORD)
    order_no, months = start_order(page, stack, 2)
    total = page.locator("#total").inner_text()
    go_to_bank(page, "ccb")
    expect(page.locator("#order-no")).to_have_text(order_no)
    expect(page.locator("#amount")).to_have_text(total)
    page.click("text=立即支付")
    page.wait_for_url(ORDER_URL)
    expect(page.locator("#status-text")).to_contain_text("缴费成功", timeout=30000)
    expect(page.locator("#steps [aria-current=step]")).to_contain_text("缴费结果")

    for period in months:  # her contribution history shows the months as paid (到账)
        assert history_status(page, stack, period) == "PAID"
    page.goto(f"{stack.url}/tasks.html")
    expect(page.locator("#tasks-area")).not_to_contain_text("正在加载")
    expect(page.locator("#tasks-area")).not_to_contain_text(order_no)
    expect(page.locator("#tasks-area a:has-text('灵活就业养老缴费')")).to_have_count(0)


def test_payment_failed_at_the_bank_is_paid_again(page, stack):
    sign_in(page, stack, WANG, WANG_PASSWORD)
    order_no, _ = start_order(page, stack, 1, "flexible_medical")
    go_to_bank(page, "ccb")
    page.click("text=支付失败")
    page.wait_for_url(ORDER_URL)
    expect(page.locator("#status-text")).to_contain_text("支付失败", timeout=30000)
    expect(page.locator("#bank-form")).to_be_visible()
    page.check("#bank-abc")
    page.click("#pay")
    page.wait_for_url(re.compile(r"/abc/checkout\?"))
    expect(page.locator("#order-no")).to_have_text(order_no)  # same order, new attempt
    page.click("text=立即支付")
    page.wait_for_url(ORDER_URL)
    expect(page.locator("#status-text")).to_contain_text("缴费成功", timeout=30000)


def test_unpaid_order_waits_in_the_to_do_list_and_resumes_at_its_step(page, stack):
    sign_in(page, stack, WANG, WANG_PASSWORD)
    order_no, _ = start_order(page, stack, 1, "flexible_medical")
    page.goto(f"{stack.url}/home.html")
    page.goto(f"{stack.url}/tasks.html")
    link = page.locator(f"#tasks-list a[href='/pay/order.html?no={order_no}']")
    expect(link).to_contain_text("查看应缴")
    link.click()
    page.wait_for_url(ORDER_URL)
    expect(page.locator("#review-form")).to_be_visible()
    expect(page.locator("#steps [aria-current=step]")).to_contain_text("查看应缴")
    page.click("#back")  # 上一步: back to the choice, the order's months still ticked
    page.wait_for_url(re.compile(r"/pay/new\.html\?no=P\w+"))
    expect(page.locator("#months-list input[name=months]:checked")).to_have_count(1)
    page.click("#cancel")
    page.click(".sbp-dialog [data-action=ok]")
    page.wait_for_url(re.compile(r"/pay/index\.html"))
    expect(page.locator("#orders-list")).to_contain_text("已作废")
