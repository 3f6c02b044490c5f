"""Browser tests of the public pages (no sign-in): the sign-in page's checks and captcha,
elderly mode, phone width, the 404 page and the sign-in guard."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import expect

LIU_QIANG = "371403195501011110"


def screenshot_dir(tmp_path: Path) -> Path:
    """Screenshots go to $SBP_SCREENSHOT_DIR when set (to look at them), else the test's tmp dir."""
    target = Path(os.environ.get("SBP_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def open_sign_in(page, stack):
    page.goto(f"{stack.url}/index.html")
    page.wait_for_selector("#captcha-img[data-captcha-id]")


def captcha_answer(page, stack) -> str:
    captcha_id = page.get_attribute("#captcha-img", "data-captcha-id")
    return page.request.get(f"{stack.url}/api/dev/captcha/{captcha_id}").json()["answer"]


def horizontal_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_wrong_captcha_is_explained_next_to_the_captcha_field_with_a_new_image(page, stack):
    open_sign_in(page, stack)
    first_id = page.get_attribute("#captcha-img", "data-captcha-id")
    page.fill("[name=id_number]", LIU_QIANG)
    page.fill("[name=password]", "whatever123")
    page.fill("[name=captcha_answer]", "9" + captcha_answer(page, stack))
    page.click("#login-button")

    error = page.locator("#err-captcha_answer")
    expect(error).to_contain_text("验证码不正确")
    field = page.locator(".field", has=page.locator("[name=captcha_answer]"))
    expect(field.locator(".field-error")).to_have_count(1)
    captcha_input = page.locator("[name=captcha_answer]")
    expect(captcha_input).to_have_attribute("aria-invalid", "true")
    expect(captcha_input).to_have_attribute("aria-describedby", re.compile(r"\berr-captcha_answer\b"))
    expect(captcha_input).to_be_focused()
    expect(captcha_input).to_have_value("")
    expect(page.locator("#captcha-img")).not_to_have_attribute("data-captcha-id", first_id)
    assert page.url.endswith("/index.html")


def test_id_number_with_a_wrong_check_digit_is_refused_in_the_browser(page, stack):
    open_sign_in(page, stack)
    logins = []
    page.on("request", lambda r: logins.append(r.url) if r.url.endswith("/api/auth/login") else None)
    page.fill("[name=id_number]", LIU_QIANG[:-1] + "1")
    page.fill("[name=password]", "whatever123")
    page.fill("[name=captcha_answer]", "abcd")
    page.click("#login-button")

    expect(page.locator("#err-id_number")).to_contain_text("校验位不正确")
    expect(page.locator("[name=id_number]")).to_be_focused()
    assert logins == []


def test_lower_case_x_in_the_id_number_becomes_upper_case(page, stack):
    open_sign_in(page, stack)
    page.locator("[name=id_number]").press_sequentially("37142519620708352x")
    expect(page.locator("[name=id_number]")).to_have_value("37142519620708352X")


def test_elderly_mode_enlarges_the_type_and_is_remembered_on_other_pages(page, stack):
    open_sign_in(page, stack)
    toggle = page.locator("#elderly-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    normal_size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    toggle.click()
    expect(page.locator("html")).to_have_class(re.compile(r"\belderly\b"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    elderly_size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert elderly_size >= 20 > normal_size

    page.goto(f"{stack.url}/forgot.html")
    expect(page.locator("html")).to_have_class(re.compile(r"\belderly\b"))
    expect(page.locator("#elderly-toggle")).to_have_attribute("aria-pressed", "true")
    page.click("#elderly-toggle")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\belderly\b"))
    page.goto(f"{stack.url}/index.html")
    expect(page.locator("#elderly-toggle")).to_have_attribute("aria-pressed", "false")


def test_sign_in_page_fits_a_320px_phone_without_horizontal_scrolling(page, stack, tmp_path):
    shots = screenshot_dir(tmp_path)
    open_sign_in(page, stack)
    page.screenshot(path=str(shots / "sign-in-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) == 0
    page.screenshot(path=str(shots / "sign-in-320.png"), full_page=True)
    page.click("#elderly-toggle")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=str(shots / "sign-in-320-elderly.png"), full_page=True)


def test_pages_that_need_sign_in_send_a_visitor_to_sign_in_and_remember_where_to_return(page, stack):
    page.goto(f"{stack.url}/info.html")
    page.wait_for_url(re.compile(r"/index\.html\?next=%2Finfo\.html$"))
    expect(page.locator("main")).to_contain_text("请先登录")


def test_an_unknown_address_shows_the_chinese_404_page(page, stack):
    response = page.goto(f"{stack.url}/no-such-page.html")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("抱歉，您访问的页面不存在")
    expect(page.locator("a[href='/index.html']").first).to_be_visible()
