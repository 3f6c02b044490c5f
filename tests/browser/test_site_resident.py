"""Browser tests of the foundation flows as the demo resident 刘强 (PRODUCT.md §4), through the
real pages: activation, sign-in, masked information, password change, password protection and
forgot password, phone change, to-do list, access log, logging out and exiting, the idle
warning. The tests run in file order and share 刘强's current password (module fixture)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

ID_NUMBER = "371403195501011110"
PHONE = "13800004444"
NEW_PHONE = "13900004444"


class Resident:
    def __init__(self):
        self.password = "888888"
        self.phone = PHONE


@pytest.fixture(scope="module")
def liu():
    return Resident()


def captcha_answer(page, stack) -> str:
    captcha_id = page.get_attribute("#captcha-img", "data-captcha-id")
    return page.request.get(f"{stack.url}/api/dev/captcha/{captcha_id}").json()["answer"]


def last_code(page, stack, phone: str) -> str:
    messages = page.request.get(f"{stack.url}/api/dev/outbox?phone={phone}").json()["messages"]
    return messages[0]["code"]  # newest first


def me_status(page, stack) -> int:
    return page.request.get(f"{stack.url}/api/me").status


def submit_sign_in(page, stack, password: str, url: str | None = None):
    page.goto(url or f"{stack.url}/index.html")
    page.wait_for_selector("#captcha-img[data-captcha-id]")
    page.fill("[name=id_number]", ID_NUMBER)
    page.fill("[name=password]", password)
    page.fill("[name=captcha_answer]", captcha_answer(page, stack))
    page.click("#login-button")


def sign_in(page, stack, liu: Resident):
    """Sign 刘强 in through the sign-in page (activating him first if he is still new)."""
    submit_sign_in(page, stack, liu.password)
    page.wait_for_url(re.compile(r"/(home|activate)\.html"))
    if page.url.endswith("/activate.html"):
        activate(page, stack, liu, "Lq2024abcd")
    page.wait_for_url(re.compile(r"/home\.html$"))
    page.wait_for_selector("#feature-groups .card")
    # Every API answer restarts the idle timer: let the home page's requests finish first.
    page.wait_for_load_state("networkidle")


def activate(page, stack, liu: Resident, new_password: str):
    page.wait_for_selector("#activate-form:not([hidden])")
    page.fill("[name=sms_code]", last_code(page, stack, liu.phone))
    page.fill("[name=new_password]", new_password)
    page.fill("[name=confirm_password]", new_password)
    page.click("#activate-form button[type=submit]")
    page.wait_for_url(re.compile(r"/home\.html$"))
    liu.password = new_password


def horizontal_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_new_resident_is_taken_through_activation_and_lands_on_home(page, stack, liu):
    submit_sign_in(page, stack, "888888")
    page.wait_for_url(re.compile(r"/activate\.html$"))
    expect(page.locator("#sent-to")).to_contain_text("138****4444")

    page.fill("[name=sms_code]", last_code(page, stack, PHONE))
    page.fill("[name=new_password]", "888888")
    page.fill("[name=confirm_password]", "888888")
    page.click("#activate-form button[type=submit]")
    expect(page.locator("#err-new_password")).to_contain_text("不能使用初始密码888888")

    page.fill("[name=new_password]", "Lq2024abcd")
    page.fill("[name=confirm_password]", "Lq2024abcX")
    page.click("#activate-form button[type=submit]")
    expect(page.locator("#err-confirm_password")).to_contain_text("两次输入的新密码不一致")

    page.fill("[name=confirm_password]", "Lq2024abcd")
    page.click("#activate-form button[type=submit]")
    page.wait_for_url(re.compile(r"/home\.html$"))
    liu.password = "Lq2024abcd"
    expect(page.locator("#greeting")).to_contain_text("刘强")
    expect(page.locator("#flash")).to_contain_text("账号已激活")
    expect(page.locator("#feature-groups > .card")).to_have_count(9)
    expect(page.locator("#card-info a[href='/info.html']")).to_be_visible()
    expect(page.locator("#tasks-count")).to_be_hidden()
    assert me_status(page, stack) == 200


def test_signed_in_resident_sees_masked_basic_information(page, stack, liu):
    sign_in(page, stack, liu)
    page.click("#card-info a[href='/info.html']")
    page.wait_for_selector("#basic-info div")
    info = page.locator("#basic-info")
    expect(info).to_contain_text("刘强")
    expect(info).to_contain_text("3714**********1110")
    expect(info).to_contain_text("138****4444")
    expect(info).to_contain_text("城乡居民基本养老保险")
    text = page.locator("body").inner_text()
    assert ID_NUMBER not in text and PHONE not in text
    expect(page.locator(".breadcrumb")).to_contain_text("首页")
    expect(page.locator(".breadcrumb [aria-current=page]")).to_have_text("个人社保基本信息")


def test_to_do_list_says_there_is_nothing_unfinished(page, stack, liu):
    sign_in(page, stack, liu)
    page.goto(f"{stack.url}/tasks.html")
    expect(page.locator("#tasks-empty")).to_contain_text("您目前没有待办事项")


def test_password_change_needs_the_old_password_and_the_new_one_signs_in(page, stack, liu):
    sign_in(page, stack, liu)
    page.goto(f"{stack.url}/account/password.html")
    page.fill("[name=old_password]", "Wrong2024xx")
    page.fill("[name=new_password]", "Liu2025new")
    page.fill("[name=confirm_password]", "Liu2025new")
    page.click("#password-form button[type=submit]")
    expect(page.locator("#err-old_password")).to_contain_text("原密码不正确")
    expect(page.locator("[name=old_password]")).to_be_focused()

    page.fill("[name=old_password]", liu.password)
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-done")).to_contain_text("密码修改成功")
    liu.password = "Liu2025new"

    page.context.clear_cookies()
    sign_in(page, stack, liu)
    assert me_status(page, stack) == 200


def test_password_protection_questions_reset_a_forgotten_password(page, stack, liu):
    sign_in(page, stack, liu)
    page.goto(f"{stack.url}/account/protection.html")
    expect(page.locator("#protection-status")).to_contain_text("尚未设置")
    page.select_option("[name=question_0]", "您出生的城市是？")
    page.fill("[name=answer_0]", "德州")
    page.select_option("[name=question_1]", "您小学的校名是？")
    page.fill("[name=answer_1]", "刘家村小学")
    page.fill("[name=password]", liu.password)
    page.click("#protection-form button[type=submit]")
    expect(page.locator("#protection-done")).to_contain_text("密码保护已设置")
    expect(page.locator("#protection-status")).to_contain_text("您出生的城市是？")

    page.context.clear_cookies()
    page.goto(f"{stack.url}/index.html")
    page.click("text=忘记密码？")
    page.wait_for_selector("body.sbp-ready")
    page.click("#use-questions")
    page.wait_for_selector("#captcha-img[data-captcha-id]")
    page.fill("#questions-start-form [name=id_number]", ID_NUMBER)
    page.fill("[name=captcha_answer]", captcha_answer(page, stack))
    page.click("#questions-start-form button[type=submit]")
    page.check("input[name=method][value=questions]")
    expect(page.locator("#questions-part")).to_contain_text("您出生的城市是？")
    page.fill("[name=answer_0]", "德州")
    page.fill("[name=answer_1]", "错误答案")
    page.fill("[name=new_password]", "Liu2026reset")
    page.fill("[name=confirm_password]", "Liu2026reset")
    page.click("#reset-form button[type=submit]")
    expect(page.locator("#reset-form .field-error, #reset-form .form-error").first).to_contain_text(
        "密保答案不正确"
    )

    page.fill("[name=answer_1]", " 刘家村小学 ")
    page.click("#reset-form button[type=submit]")
    page.wait_for_url(re.compile(r"/index\.html$"))
    expect(page.locator("#flash")).to_contain_text("密码已重置")
    liu.password = "Liu2026reset"
    sign_in(page, stack, liu)


def test_forgot_password_by_code_to_the_registered_phone_without_a_captcha(page, stack, liu):
    page.goto(f"{stack.url}/forgot.html")
    page.wait_for_selector("body.sbp-ready")
    expect(page.locator("#start-form canvas")).to_have_count(0)
    page.fill("#start-form [name=id_number]", ID_NUMBER)
    page.fill("#start-form [name=phone]", liu.phone)
    page.click("#start-form button[type=submit]")
    expect(page.locator("#phone-text")).to_contain_text("138****4444")
    expect(page.locator("#phone-text")).to_contain_text("验证码已发送")
    expect(page.locator("[name=sms_code]")).to_be_focused()
    page.fill("[name=sms_code]", last_code(page, stack, liu.phone))
    page.fill("[name=new_password]", "Liu2027phone")
    page.fill("[name=confirm_password]", "Liu2027phone")
    page.click("#reset-form button[type=submit]")
    page.wait_for_url(re.compile(r"/index\.html$"))
    liu.password = "Liu2027phone"
    sign_in(page, stack, liu)


def test_phone_number_change_is_confirmed_by_a_code_sent_to_the_new_number(page, stack, liu):
    sign_in(page, stack, liu)
    page.goto(f"{stack.url}/account/contact.html")
    expect(page.locator("#current-phone")).to_have_text("138****4444")
    page.fill("[name=value]", "1390000444")
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#err-value")).to_contain_text("11位手机号码")

    page.fill("[name=value]", NEW_PHONE)
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#sent-to")).to_contain_text("139****4444")
    page.fill("[name=code]", "000000" if last_code(page, stack, NEW_PHONE) != "000000" else "111111")
    page.click("#confirm-form button[type=submit]")
    expect(page.locator("#err-code")).to_contain_text("验证码不正确")

    page.fill("[name=code]", last_code(page, stack, NEW_PHONE))
    page.click("#confirm-form button[type=submit]")
    expect(page.locator("#contact-done")).to_contain_text("139****4444")
    expect(page.locator("#current-phone")).to_have_text("139****4444")
    liu.phone = NEW_PHONE
    page.goto(f"{stack.url}/info.html")
    expect(page.locator("#basic-info")).to_contain_text("139****4444")


def test_access_log_lists_the_residents_own_sign_ins_and_changes(page, stack, liu):
    sign_in(page, stack, liu)
    page.goto(f"{stack.url}/account/access-log.html")
    log = page.locator("#access-log")
    expect(log).to_contain_text("登录")
    expect(log).to_contain_text("修改密码")
    expect(log).to_contain_text("更改手机号码")


def test_exit_asks_for_confirmation_and_only_ends_the_session_on_ok(page, stack, liu):
    sign_in(page, stack, liu)
    page.goto(f"{stack.url}/info.html")
    page.wait_for_selector("#basic-info div")
    page.click("#exit-button")
    dialog = page.locator("dialog.sbp-dialog[open]")
    expect(dialog).to_contain_text("确定要退出")
    expect(dialog.locator("[data-action=cancel]")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(dialog.locator("[data-action=cancel]")).to_be_focused()  # focus stays in the dialog
    dialog.locator("[data-action=cancel]").click()
    expect(page.locator("dialog.sbp-dialog[open]")).to_have_count(0)
    assert page.url.endswith("/info.html") and me_status(page, stack) == 200

    page.click("#exit-button")
    page.keyboard.press("Escape")
    expect(page.locator("dialog.sbp-dialog[open]")).to_have_count(0)
    assert me_status(page, stack) == 200

    page.click("#exit-button")
    page.locator("dialog.sbp-dialog[open] [data-action=ok]").click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    expect(page.locator("#flash")).to_contain_text("退出")
    assert me_status(page, stack) == 401


def test_log_out_of_this_account_returns_to_sign_in_at_once(page, stack, liu):
    sign_in(page, stack, liu)
    page.goto(f"{stack.url}/account/index.html")
    page.click("#logout-now")
    page.wait_for_url(re.compile(r"/index\.html$"))
    expect(page.locator("#flash")).to_contain_text("您已退出当前账号")
    assert me_status(page, stack) == 401
    page.goto(f"{stack.url}/home.html")
    page.wait_for_url(re.compile(r"/index\.html\?next="))


def test_idle_warning_appears_before_the_timeout_and_continue_keeps_the_session(page, stack, liu):
    page.clock.install()
    sign_in(page, stack, liu)
    expect(page.locator("#idle-warning")).to_have_count(0)
    page.clock.fast_forward("13:01")
    warning = page.locator("#idle-warning[open]")
    expect(warning).to_contain_text("您已长时间未操作，将在")
    expect(warning.locator(".countdown")).to_have_text(re.compile(r"^1[01]\d$"))
    warning.locator("[data-action=stay]").click()
    expect(page.locator("#idle-warning[open]")).to_have_count(0)
    assert me_status(page, stack) == 200
    page.clock.fast_forward("12:00")
    expect(page.locator("#idle-warning[open]")).to_have_count(0)


def test_after_the_idle_timeout_the_resident_is_sent_to_sign_in_with_a_message(page, stack, liu):
    page.clock.install()
    sign_in(page, stack, liu)
    page.clock.fast_forward("13:01")
    expect(page.locator("#idle-warning[open]")).to_be_visible()
    page.clock.fast_forward("02:05")
    page.wait_for_url(re.compile(r"/index\.html\?next="))
    expect(page.locator("#flash")).to_contain_text("自动退出")


def test_sign_in_returns_to_the_page_asked_for(page, stack, liu):
    page.goto(f"{stack.url}/tasks.html")
    page.wait_for_url(re.compile(r"/index\.html\?next=%2Ftasks\.html$"))
    page.wait_for_selector("#captcha-img[data-captcha-id]")
    page.fill("[name=id_number]", ID_NUMBER)
    page.fill("[name=password]", liu.password)
    page.fill("[name=captcha_answer]", captcha_answer(page, stack))
    page.click("#login-button")
    page.wait_for_url(re.compile(r"/tasks\.html$"))


def test_home_page_fits_a_320px_phone_and_desktop(page, stack, liu, tmp_path):
    shots = Path(os.environ.get("SBP_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, stack, liu)
    page.screenshot(path=str(shots / "home-desktop.png"), full_page=True)
    columns = page.evaluate(
        "() => getComputedStyle(document.getElementById('feature-groups'))"
        ".gridTemplateColumns.split(' ').length"
    )
    assert columns == 2
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) == 0
    columns = page.evaluate(
        "() => getComputedStyle(document.getElementById('feature-groups'))"
        ".gridTemplateColumns.split(' ').length"
    )
    assert columns == 1
    page.screenshot(path=str(shots / "home-320.png"), full_page=True)
    page.click("#elderly-toggle")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=str(shots / "home-320-elderly.png"), full_page=True)
