"""Browser tests of the puzzle-free ways in, through the real pages: signing in by SMS code (the
code read from the local outbox), and registering a passkey in 账号设置 then signing in with it,
with Chromium's virtual authenticator (DevTools protocol WebAuthn domain: CTAP2, internal
transport, resident key, user verification). Fresh residents, so demo residents stay untouched."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

try:
    from .flows import latest_code, make_resident, sign_in
except ImportError:  # tests/browser collected as rootdir-relative modules
    from flows import latest_code, make_resident, sign_in

# Copies of 王芳 under new, valid ID numbers and phones no other test uses.
SMS_RESIDENT = ("371481199004229845", "13900009845", "Sms2026login")
PASSKEY_RESIDENT = ("371481199004229861", "13900009861", "Key2026login")
KEYBOARD_RESIDENT = ("371481199004229888", "13900009888", "Kbd2026login")
FOCUSED_ID = "document.activeElement && (document.activeElement.id || document.activeElement.name)"


@pytest.fixture
def virtual_authenticator(page):
    """A platform authenticator with resident keys and user verification, attached to `page`."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})
    cdp.detach()


def passkey_site(stack) -> str:
    """The stack's origin under the name WebAuthn accepts (it refuses IP addresses as RP ids)."""
    return stack.url.replace("://127.0.0.1:", "://localhost:")


def test_resident_signs_in_by_sms_code(page, stack):
    id_number, phone, password = SMS_RESIDENT
    make_resident(stack, "王芳", id_number, phone, password)
    page.goto(f"{stack.url}/index.html")
    page.wait_for_selector("body.sbp-ready")
    page.check("input[name=way][value=sms]")
    expect(page.locator("#sms-form")).to_be_visible()
    expect(page.locator("#login-form")).to_be_hidden()
    page.fill("#sms_id_number", id_number)
    page.fill("#sms_phone", phone)
    page.click("#sms-send")
    expect(page.locator("#sms_code")).to_be_focused()
    expect(page.locator("#sms-status")).to_contain_text("验证码已发送")
    code = latest_code(stack, phone)

    page.fill("#sms_code", "000000" if code != "000000" else "111111")
    page.click("#sms-login-button")
    expect(page.locator("#err-sms_code")).to_contain_text("验证码不正确")
    expect(page.locator("#sms_code")).to_have_attribute("aria-invalid", "true")

    page.fill("#sms_code", code)
    page.click("#sms-login-button")
    page.wait_for_url(re.compile(r"/home\.html$"))
    expect(page.locator("#greeting")).to_contain_text("王芳")


def tab_to(page, target: str, limit: int = 20) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_ID) == target:
            return
    raise AssertionError(f"Tab never reached #{target}")


def test_sms_sign_in_works_with_the_keyboard_alone(page, stack):
    id_number, phone, password = KEYBOARD_RESIDENT
    make_resident(stack, "王芳", id_number, phone, password)
    page.goto(f"{stack.url}/index.html")
    page.wait_for_selector("body.sbp-ready")
    tab_to(page, "way")
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=way][value=sms]")).to_be_checked()
    expect(page.locator("#sms-form")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_ID) == "sms_id_number"
    page.keyboard.type(id_number)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_ID) == "sms_phone"
    page.keyboard.type(phone)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_ID) == "sms-send"
    page.keyboard.press("Enter")
    expect(page.locator("#sms_code")).to_be_focused()
    page.keyboard.type(latest_code(stack, phone))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/home\.html$"))


def test_resident_registers_a_passkey_then_signs_in_with_it_and_removes_it(
    page, stack, virtual_authenticator
):
    cdp, authenticator_id = virtual_authenticator
    id_number, phone, password = PASSKEY_RESIDENT
    make_resident(stack, "王芳", id_number, phone, password)
    site = passkey_site(stack)
    sign_in(page, stack, id_number, password, next_url=f"{site}/index.html")

    page.goto(f"{site}/account/index.html")
    page.get_by_role("link", name=re.compile("通行密钥")).click()
    page.wait_for_url(re.compile(r"/account/passkeys\.html$"))
    expect(page.locator("#passkey-list")).to_contain_text("还没有登记通行密钥")
    page.click("#add-button")
    expect(page.locator("#err-confirm_password")).to_contain_text("登录密码")
    page.fill("#confirm_password", password)
    page.fill("#passkey_name", "我的手机")
    page.click("#add-button")
    expect(page.locator("#result")).to_contain_text("已添加通行密钥“我的手机”")
    expect(page.locator("#passkey-table")).to_contain_text("我的手机")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"]

    page.context.clear_cookies()
    page.goto(f"{site}/index.html")
    page.wait_for_selector("body.sbp-ready")
    page.check("input[name=way][value=passkey]")
    page.click("#passkey-button")
    page.wait_for_url(re.compile(r"/home\.html$"))
    expect(page.locator("#greeting")).to_contain_text("王芳")

    page.goto(f"{site}/account/passkeys.html")
    expect(page.locator("#passkey-table")).not_to_contain_text("尚未使用")
    page.fill("#confirm_password", password)
    page.click("#passkey-table button:has-text('删除')")
    page.click("dialog[open] [data-action=ok]")
    expect(page.locator("#result")).to_contain_text("已删除通行密钥“我的手机”")
    expect(page.locator("#passkey-list")).to_contain_text("还没有登记通行密钥")

    page.goto(f"{site}/account/access-log.html")
    expect(page.locator("#access-log")).to_contain_text("添加通行密钥")
    expect(page.locator("#access-log")).to_contain_text("通行密钥登录")
    expect(page.locator("#access-log")).to_contain_text("删除通行密钥")

    # The authenticator still holds the passkey; the site no longer accepts it.
    page.context.clear_cookies()
    page.goto(f"{site}/index.html")
    page.wait_for_selector("body.sbp-ready")
    page.check("input[name=way][value=passkey]")
    page.click("#passkey-button")
    expect(page.locator("#passkey-error")).to_contain_text("通行密钥验证未通过")
    assert page.url.endswith("/index.html")
