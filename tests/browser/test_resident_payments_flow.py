"""Browser test of city-rural resident payments on the local stack with the bank simulator (the
stack's date is real: 2026-11-30 lies in the Sep–Dec collection window for 2027): 刘强 pays the
2027 resident medical contribution for himself and for 赵敏 (named by ID number + name) at ccb;
赵敏 then signs in and sees 2027 paid in her contribution history and a message; she prints her
personal rights record and downloads her data."""

from __future__ import annotations

import io
import re
import zipfile

from playwright.sync_api import expect

try:
    from .flows import make_resident, sign_in
except ImportError:  # tests/browser collected as rootdir-relative modules
    from flows import make_resident, sign_in

# Fresh copies of the demo residents 刘强 and 赵敏 (same names and histories, new ID numbers):
# other browser tests need the demo 刘强 still on his initial password.
LIU, LIU_PHONE, LIU_PASSWORD = "37140319550101993X", "13900009930", "Lq2026res"
ZHAO, ZHAO_PHONE, ZHAO_PASSWORD = "371428198806159942", "13900009942", "Zm2026res"
ORDER_URL = re.compile(r"/pay/order\.html\?no=P\w+")


def pay_resident_medical(page, stack, member: tuple[str, str] | None) -> str:
    """Step 1 on resident.html (self or a family member), then review, bank, pay at ccb."""
    page.goto(f"{stack.url}/pay/resident.html?kind=resident_medical")
    expect(page.locator("#resident-form")).to_be_visible()
    page.select_option("#year", "2027")
    if member:
        page.check("#whom-other")
        page.fill("#member-id", member[0])
        page.fill("#member-name", member[1])
    page.click("#next")
    page.wait_for_url(ORDER_URL)
    order_no = page.url.split("no=")[1]
    expect(page.locator("#lines tr")).to_have_count(1)
    expect(page.locator("#lines")).to_contain_text("2027年度")
    expect(page.locator("#insured-name")).to_have_text("赵*（3714**********9942）" if member else "本人")
    total = page.locator("#total").inner_text()
    page.click("#confirm")
    expect(page.locator("#bank-form")).to_be_visible()
    page.check("#bank-ccb")
    page.click("#pay")
    page.wait_for_url(re.compile(r"/ccb/checkout\?"))
    expect(page.locator("#amount")).to_have_text(total)
    page.click("text=立即支付")
    page.wait_for_url(ORDER_URL)
    expect(page.locator("#status-text")).to_contain_text("缴费成功", timeout=30000)
    expect(page.locator("#status-text")).to_contain_text("2027年度")
    return order_no


def test_liu_qiang_pays_2027_resident_medical_for_himself_and_zhao_min_who_sees_it(browser, stack):
    make_resident(stack, "刘强", LIU, LIU_PHONE, LIU_PASSWORD)
    make_resident(stack, "赵敏", ZHAO, ZHAO_PHONE, ZHAO_PASSWORD)
    liu = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    sign_in(liu, stack, LIU, LIU_PASSWORD)
    pay_resident_medical(liu, stack, None)
    for_her = pay_resident_medical(liu, stack, (ZHAO, "赵敏"))

    # the payer's orders say whom it was for; paying her year again is refused on the form
    liu.goto(f"{stack.url}/pay/index.html")
    expect(liu.locator("#orders-list")).to_contain_text("为赵*缴纳")
    liu.goto(f"{stack.url}/pay/resident.html?kind=resident_medical")
    liu.check("#whom-other")
    liu.fill("#member-id", ZHAO)
    liu.fill("#member-name", "赵敏")
    liu.click("#next")
    expect(liu.locator("#resident-form .field-error")).to_contain_text("已缴费")
    liu.context.close()

    zhao = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    sign_in(zhao, stack, ZHAO, ZHAO_PASSWORD)
    zhao.goto(f"{stack.url}/records/contributions.html?type=390")
    expect(zhao.locator("#year-select option[value='2027']")).to_have_count(1)
    zhao.select_option("#year-select", "2027")
    zhao.click("#query-button")
    expect(zhao.locator("#result table tbody tr").first.locator("td").first).to_have_text("2027年")
    expect(zhao.locator("#result table")).to_contain_text("¥400.00")
    messages = zhao.request.get(f"{stack.url}/api/messages").json()["items"]
    assert any("2027年度" in m["text"] and "代缴" in m["title"] for m in messages), messages
    assert zhao.request.get(f"{stack.url}/api/payments/orders/{for_her}").status == 404  # 刘强's order

    # her personal rights record of 2027 and her data
    zhao.goto(f"{stack.url}/records/statement.html")
    zhao.select_option("#statement-year", "2027")
    zhao.click("#statement-button")
    link = zhao.locator("#statement-download")
    expect(link).to_be_visible()
    pdf = zhao.request.get(link.get_attribute("href"))
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert (
        "2027年度社会保险个人权益记录单" in text
        and "城乡居民基本医疗保险（390）" in text
        and "¥400.00" in text
    )

    zhao.goto(f"{stack.url}/account/my-data.html")
    zhao.click("#export-button")
    link = zhao.locator("#export-download")
    expect(link).to_be_visible()
    archive = zipfile.ZipFile(io.BytesIO(zhao.request.get(link.get_attribute("href")).body()))
    assert "contributions.csv" in archive.namelist()
    assert "202701" in archive.read("contributions.csv").decode("utf-8-sig")
    zhao.goto(f"{stack.url}/account/access-log.html")
    expect(zhao.locator("#log-area")).to_contain_text("下载我的数据")
    expect(zhao.locator("#log-area")).to_contain_text("生成个人权益记录单")
    zhao.context.close()
