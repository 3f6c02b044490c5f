"""Browser tests of the records pages on the local stack (PRODUCT.md §4 residents):
李秀英 pages through a year of contributions, reads her pension account and her pension payments
for a range, issues a certificate, downloads the PDF, has it verified on the public page, revokes
it and sees it shown as revoked; 王芳's gaps are read (read-only: others use her data too)."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect

try:
    from .flows import sign_in
except ImportError:  # tests/browser collected as rootdir-relative modules
    from flows import sign_in

LI = "37142519620708352X"
LI_PASSWORD = "Lxy2026rec"
WANG = "371481199004225625"
WANG_PASSWORD = "Wf2026gap"


def test_li_xiuying_pages_contributions_and_reads_account_and_payments(page, stack):
    sign_in(page, stack, LI, LI_PASSWORD)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{stack.url}/records/contributions.html?type=110")
    expect(page.locator("#type-select option")).to_have_count(5)
    page.select_option("#year-select", "2016")
    page.click("#query-button")
    rows = page.locator("#contributions-table tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.first.locator("td").first).to_have_text("2016年12月")  # newest first
    expect(rows.first).to_contain_text("齐河县晏城街道社区卫生服务中心")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.click("#next-page")
    expect(rows.first.locator("td").first).to_have_text("2016年6月")
    expect(rows).to_have_count(6)
    expect(page.locator("#next-page")).to_be_hidden()

    page.goto(f"{stack.url}/records/pension-account.html")
    table = page.locator("#account-table")
    expect(table.locator("tbody tr")).to_have_count(33)  # 1985–2017
    expect(table).to_contain_text("8.31%")  # 2016, published
    expect(table).to_contain_text("一年期存款利率")  # 1985: the pre-2016 rate, labelled
    expect(page.locator("#balance")).to_contain_text("¥")

    page.goto(f"{stack.url}/records/pension-payments.html")
    page.fill("#from-month", "2018-01")
    page.fill("#to-month", "2019-06")
    page.click("#range-button")
    payments = page.locator("#payments tbody tr")
    expect(payments).to_have_count(12)
    expect(payments.first.locator("td").first).to_have_text("2019年6月")  # newest first
    expect(payments.first).to_contain_text("基础养老金")
    expect(payments.first).to_contain_text("个人账户养老金")
    expect(payments.first).to_contain_text("调整增加")
    expect(payments.first).to_contain_text("**** **** 3571")
    page.click("#payments-next")
    expect(payments).to_have_count(18)
    expect(page.locator("#payments-next")).to_be_hidden()


def test_certificate_is_downloaded_verified_publicly_then_revoked(page, stack, browser):
    from pypdf import PdfReader

    sign_in(page, stack, LI, LI_PASSWORD)
    page.goto(f"{stack.url}/records/certificates.html")
    page.check("#type-110")
    page.fill("#cert-from", "2010-01")
    page.fill("#cert-to", "2017-07")
    page.click("#issue-button")
    code = page.locator("#issued-code")
    expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$"))
    code_text = code.inner_text()
    pdf = page.request.get(page.get_attribute("#issued-download", "href"))
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "李秀英" in text and "3714**********352X" in text and code_text in text
    assert "91个月" in text  # 2010-01 … 2017-07

    public = browser.new_context(locale="zh-CN")
    visitor = public.new_page()
    visitor.goto(f"{stack.url}/verify.html?code={code_text}")
    expect(visitor.locator("#verify-valid")).to_contain_text("证明有效")
    expect(visitor.locator("#verify-name")).to_have_text("李*英")
    expect(visitor.locator("#verify-types")).to_contain_text("91个月")

    page.reload()
    row = page.locator("#mine-table tbody tr", has_text=code_text)
    row.locator("[data-action=log]").click()
    expect(page.locator("#log-table tbody tr")).to_have_count(1)
    row.locator("[data-action=revoke]").click()
    page.click(".sbp-dialog [data-action=ok]")
    expect(page.locator("#mine-table tbody tr", has_text=code_text).locator("[data-status]")).to_have_text(
        "已撤销"
    )

    visitor.goto(f"{stack.url}/verify.html")
    visitor.fill("#code", code_text.lower())
    visitor.click("#verify-button")
    expect(visitor.locator("#verify-invalid")).to_contain_text("证明已失效")
    expect(visitor.locator("#verify-invalid")).to_contain_text("撤销")
    public.close()


def test_wang_fang_sees_her_gaps_with_the_cost_to_fill_them(page, stack):
    sign_in(page, stack, WANG, WANG_PASSWORD)
    page.goto(f"{stack.url}/records/gaps.html")
    pension = page.locator("section[data-type='110']")
    expect(pension).to_contain_text("2021年4月 至 2021年6月，共3个月")
    expect(pension).to_contain_text("¥2,322.00")  # 3 × 3,870.00 × 20%
    expect(pension).to_contain_text("2022年11月，共1个月")
    page.goto(f"{stack.url}/records/index.html")
    expect(page.locator("#summary-list li")).to_have_count(2)
    page.goto(f"{stack.url}/records/employment.html")
    expect(page.locator("#notices-list")).to_contain_text("灵活就业登记")
    expect(page.locator("#contracts-list")).to_contain_text("暂无劳动合同记录")
