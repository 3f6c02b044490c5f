"""Browser tests of the social-security card pages on the local stack (PRODUCT.md §4 residents):
王芳 applies for her first card in two sittings — signs out in the middle and resumes from the
to-do list —, uploads a photo straight to storage and submits; 张伟 reports his card lost and
cancels the report. Each test runs in its own browser context (the `page` fixture)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.fixtures.photos import images

from .flows import sign_in

WANG = "371481199004225625"
WANG_PASSWORD = "Wf2026pay"
ZHANG = "371402198503142314"
ZHANG_PASSWORD = "Zw2026card"


def sign_out(page):
    page.click("#exit-button")
    page.click(".sbp-dialog [data-action=ok]")
    page.wait_for_url(re.compile(r"/index\.html"))


def test_wang_fang_applies_in_two_sittings_uploads_a_photo_and_submits(page, stack, tmp_path):
    sign_in(page, stack, WANG, WANG_PASSWORD)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{stack.url}/card/index.html")
    expect(page.locator("#no-card")).to_contain_text("您还没有社会保障卡")
    page.click("#apply-link")
    page.click("#start-button")

    # first sitting: details and bank
    expect(page.locator("#person-name")).to_have_text("王芳")
    page.click("#details-form button[type=submit]")
    expect(page.locator("#err-confirmed")).to_contain_text("以上信息准确无误")
    page.check("#confirmed")
    page.click("#details-form button[type=submit]")
    expect(page.locator("#step-bank")).to_be_visible()
    page.check("#bank-dzbank")
    page.click("#bank-form button[type=submit]")
    expect(page.locator("#step-delivery")).to_be_visible()
    assert "step=delivery" in page.url
    sign_out(page)

    # second sitting: resumed from the to-do list exactly at the delivery step
    sign_in(page, stack, WANG, WANG_PASSWORD)
    page.goto(f"{stack.url}/tasks.html")
    page.click("#tasks-list a:has-text('社保卡申领')")
    page.wait_for_url(re.compile(r"/card/apply\.html\?id=A\w+&step=delivery$"))
    expect(page.locator("#step-delivery")).to_be_visible()
    expect(page.locator("#steps [aria-current=step]")).to_contain_text("选择领卡方式")

    page.check("#method-mail")
    page.fill("#phone", "13800003333")
    page.fill("#address", "德州市德城区新湖大街88号3号楼2单元501室")
    page.fill("#postal_code", "2530")
    page.click("#delivery-form button[type=submit]")
    expect(page.locator("#err-postal_code")).to_contain_text("6位数字")
    expect(page.locator("#postal_code")).to_be_focused()
    page.fill("#postal_code", "253000")
    page.click("#delivery-form button[type=submit]")
    expect(page.locator("#step-photo")).to_be_visible()
    assert (
        page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )

    # a PNG renamed .jpg is refused with the reason next to the file input
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(images.png_named_jpg())
    page.set_input_files("#photo", str(fake))
    page.click("#photo-upload-button")
    expect(page.locator("#err-photo")).to_contain_text("照片不是JPEG格式")

    real = tmp_path / "证件照.jpg"
    real.write_bytes(images.valid_large_with_exif())
    page.set_input_files("#photo", str(real))
    page.click("#photo-upload-button")
    expect(page.locator("#photo-ok")).to_be_visible()
    expect(page.locator("#photo-canvas[data-loaded='1']")).to_be_attached()
    assert page.evaluate(
        "() => [document.getElementById('photo-canvas').width,"
        " document.getElementById('photo-canvas').height]"
    ) == [358, 441]

    page.click("#photo-next")
    expect(page.locator("#review-bank")).to_have_text("德州银行")
    expect(page.locator("#review-delivery")).to_contain_text("253000")
    page.click("#submit-button")
    expect(page.locator("#done-panel")).to_be_visible()
    expect(page.locator("#done-text")).to_contain_text("已提交，制卡中")

    page.goto(f"{stack.url}/card/index.html")
    expect(page.locator("#card-status")).to_have_text("制卡中")
    page.goto(f"{stack.url}/tasks.html")
    expect(page.locator("#tasks-area")).not_to_contain_text("社保卡申领")


def test_zhang_wei_reports_his_card_lost_and_cancels_the_report(page, stack):
    sign_in(page, stack, ZHANG, ZHANG_PASSWORD)
    password = stack.passwords.get(ZHANG, ZHANG_PASSWORD)
    page.set_viewport_size({"width": 320, "height": 640})
    page.click("a[href='/card/index.html']")
    expect(page.locator("#card-status")).to_have_text("正常")
    assert (
        page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )
    expect(page.locator("#card-no")).to_have_text(re.compile(r"^D\*+\d{3}$"))
    assert ZHANG not in page.locator("body").inner_text()

    page.fill("#loss-password", "Wrong2026pw")
    page.click("#loss-button")
    page.click(".sbp-dialog [data-action=ok]")
    expect(page.locator("#err-loss-password")).to_contain_text("密码不正确")

    page.fill("#loss-password", password)
    page.click("#loss-button")
    page.click(".sbp-dialog [data-action=ok]")
    expect(page.locator("#card-done")).to_contain_text("挂失成功")
    expect(page.locator("#card-status")).to_have_text("挂失")
    expect(page.locator("#replacement-link")).to_be_visible()

    page.fill("#unloss-password", password)
    page.click("#unloss-button")
    expect(page.locator("#card-done")).to_contain_text("已解除挂失")
    expect(page.locator("#card-status")).to_have_text("正常")
    expect(page.locator("#card-last-change")).to_contain_text("解除挂失")
