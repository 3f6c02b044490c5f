"""Card service: card information, loss report and its cancellation, the multi-step application
with its to-do item, one open application per resident, replacement (moto)."""

from __future__ import annotations

import pytest

from chalicelib import clock, storage
from chalicelib.errors import BadInput, Conflict, Locked, NotFound
from chalicelib.models.audit import AuditEvent
from chalicelib.models.card_applications import CardApplication
from chalicelib.models.cards import Card
from chalicelib.models.tasks import PendingTask
from chalicelib.security import pseudonym
from chalicelib.services import card_actions, card_photos, cards
from chalicelib.services import card_applications as apps
from chalicelib.services.sessions import CurrentSession

from .fixtures.photos import images
from .helpers import GOOD_PASSWORD, ZHANG, make_account

WANG = "371481199004225625"
IP = "203.0.113.9"


def session_of(id_number: str) -> CurrentSession:
    now = int(clock.now())
    return CurrentSession(id_number, "test-token-hash", now, now)


def give_card(
    id_number: str = ZHANG,
    status: str = cards.NORMAL,
    card_id: str = "C20150601000000AAAA",
    bank_code: str = "icbc",
) -> Card:
    card = Card(
        id_number=id_number,
        card_id=card_id,
        status=status,
        card_no="D12345678",
        bank_code=bank_code,
        bank_account="6212261602001234567",
        issued_on="2015-06-01",
        valid_until="2025-06-01",
        created_at=1433116800,
        status_changed_at=1433116800,
        status_reason="制卡完成",
    )
    card.save()
    return card


def actions_of(id_number: str) -> list[tuple[str, str]]:
    return [(e.action, e.outcome) for e in AuditEvent.query(pseudonym.of(id_number))]


def upload(application_id: str, data: bytes) -> str:
    """What the browser does with the presigned POST: put the bytes at the key it names."""
    form = card_photos.upload_form(session_of(WANG), application_id, IP)
    storage.client().put_object(Bucket=storage.bucket(), Key=form["key"], Body=data)
    return form["key"]


def fill_until_photo(id_number: str = WANG) -> str:
    me = session_of(id_number)
    app_id = apps.start(me, "new", IP)["application_id"]
    apps.confirm_details(me, app_id, True, IP)
    apps.choose_bank(me, app_id, "ccb", IP)
    apps.set_delivery(me, app_id, {"method": "pickup", "outlet_code": "dz-center"}, IP)
    return app_id


@pytest.fixture
def wang(tables):
    return make_account(
        WANG,
        password=GOOD_PASSWORD,
        state="SET",
        phone="13800003333",
        name="王芳",
        profile={"gender": "女", "ethnicity": "汉族"},
    )


@pytest.fixture
def zhang(tables):
    return make_account(ZHANG, password=GOOD_PASSWORD, state="SET")


# ---- card information --------------------------------------------------------------------


def test_overview_masks_card_and_bank_numbers(zhang):
    give_card()
    answer = card_actions.overview(session_of(ZHANG))
    card = answer["card"]
    assert card["card_no_masked"] == "D*****678"
    assert card["bank_account_masked"] == "**** **** 4567"
    assert card["bank_name"] == "中国工商银行"
    assert card["status_label"] == "正常"
    assert "D12345678" not in str(answer) and "6212261602001234567" not in str(answer)
    assert answer["actions"] == {
        "report_loss": True,
        "cancel_loss": False,
        "apply": False,
        "apply_replacement": False,
    }


def test_overview_without_card_tells_how_to_apply(wang):
    answer = card_actions.overview(session_of(WANG))
    assert answer["card"] is None
    assert "申领社保卡" in answer["how_to_apply"]
    assert answer["actions"]["apply"] is True


def test_current_card_skips_cancelled_cards(zhang):
    give_card(status=cards.CANCELLED, card_id="C20150601000000AAAA")
    give_card(status=cards.NORMAL, card_id="C20240101000000BBBB")
    assert cards.current(ZHANG).card_id == "C20240101000000BBBB"


# ---- loss report ---------------------------------------------------------------------------


def test_loss_report_with_password_takes_effect_at_once_and_is_audited(zhang):
    give_card()
    answer = card_actions.report_loss(session_of(ZHANG), GOOD_PASSWORD, IP)
    assert answer["card"]["status"] == "LOST"
    assert Card.get(ZHANG, "C20150601000000AAAA").status == cards.LOST
    assert ("card_loss_report", "ok") in actions_of(ZHANG)


def test_loss_report_with_wrong_password_changes_nothing_and_counts_a_failure(zhang):
    give_card()
    with pytest.raises(BadInput) as caught:
        card_actions.report_loss(session_of(ZHANG), "Wrong2026pw", IP)
    assert caught.value.field == "password"
    assert Card.get(ZHANG, "C20150601000000AAAA").status == cards.NORMAL
    assert ("card_loss_report", "bad_password") in actions_of(ZHANG)


def test_loss_report_locks_after_five_wrong_passwords(zhang):
    give_card()
    for _ in range(4):
        with pytest.raises(BadInput):
            card_actions.report_loss(session_of(ZHANG), "Wrong2026pw", IP)
    with pytest.raises(Locked):
        card_actions.report_loss(session_of(ZHANG), "Wrong2026pw", IP)
    with pytest.raises(Locked):
        card_actions.report_loss(session_of(ZHANG), GOOD_PASSWORD, IP)
    assert Card.get(ZHANG, "C20150601000000AAAA").status == cards.NORMAL


def test_loss_report_twice_is_a_conflict(zhang):
    give_card(status=cards.LOST)
    with pytest.raises(Conflict) as caught:
        card_actions.report_loss(session_of(ZHANG), GOOD_PASSWORD, IP)
    assert caught.value.code == "card_already_lost"


def test_loss_report_without_card_is_not_found(wang):
    with pytest.raises(NotFound):
        card_actions.report_loss(session_of(WANG), GOOD_PASSWORD, IP)


def test_cancel_loss_report_needs_password_and_restores_normal(zhang):
    give_card(status=cards.LOST)
    with pytest.raises(BadInput):
        card_actions.cancel_loss(session_of(ZHANG), "", IP)
    answer = card_actions.cancel_loss(session_of(ZHANG), GOOD_PASSWORD, IP)
    assert answer["card"]["status_label"] == "正常"
    assert Card.get(ZHANG, "C20150601000000AAAA").status_reason == "本人网上解除挂失"
    assert ("card_loss_cancel", "ok") in actions_of(ZHANG)


def test_cancel_loss_report_of_normal_card_is_a_conflict(zhang):
    give_card()
    with pytest.raises(Conflict):
        card_actions.cancel_loss(session_of(ZHANG), GOOD_PASSWORD, IP)


# ---- application steps -------------------------------------------------------------------


def test_start_creates_draft_and_to_do_item_at_first_step(wang):
    answer = apps.start(session_of(WANG), "new", IP)
    assert answer["status"] == "DRAFT" and answer["step"] == "details"
    assert answer["person"]["name"] == "王芳"
    assert answer["person"]["id_number_masked"] == "3714**********5625"
    task = PendingTask.get(WANG, f"card_application#{answer['application_id']}")
    assert task.resume_path == f"/card/apply.html?id={answer['application_id']}&step=details"
    assert ("card_application_start", "ok") in actions_of(WANG)


def test_second_open_application_is_refused(wang):
    apps.start(session_of(WANG), "new", IP)
    with pytest.raises(Conflict) as caught:
        apps.start(session_of(WANG), "new", IP)
    assert caught.value.code == "application_open"
    assert len([a for a in CardApplication.query(WANG) if a.application_id != "OPEN"]) == 1


def test_open_marker_refuses_a_second_application_even_when_written_concurrently(wang):
    """Two starts that both passed the card check: the transaction lets only one through."""
    me = session_of(WANG)
    first = apps.start(me, "new", IP)
    marker = CardApplication.get(WANG, "OPEN")
    assert marker.open_application_id == first["application_id"]
    marker.delete()  # simulate the race: the second writer read "no marker" …
    CardApplication(id_number=WANG, application_id="OPEN", open_application_id="A-other").save()
    with pytest.raises(Conflict):  # … but its conditional write still fails
        apps.start(me, "new", IP)


def test_new_application_refused_when_resident_has_a_card(zhang):
    give_card()
    with pytest.raises(Conflict) as caught:
        apps.start(session_of(ZHANG), "new", IP)
    assert caught.value.code == "card_exists"


def test_each_step_moves_the_to_do_item_to_the_next_step(wang):
    me = session_of(WANG)
    app_id = apps.start(me, "new", IP)["application_id"]
    assert apps.confirm_details(me, app_id, True, IP)["step"] == "bank"
    assert apps.choose_bank(me, app_id, "ccb", IP)["step"] == "delivery"
    answer = apps.set_delivery(me, app_id, {"method": "pickup", "outlet_code": "dz-lingcheng"}, IP)
    assert answer["step"] == "photo"
    assert answer["delivery"]["outlet_name"] == "陵城区社保卡服务站"
    task = PendingTask.get(WANG, f"card_application#{app_id}")
    assert task.step == "上传照片" and task.data == {"step": "photo"}
    assert task.resume_path.endswith("step=photo")
    assert "上传照片" in task.title


def test_details_must_be_confirmed_explicitly(wang):
    me = session_of(WANG)
    app_id = apps.start(me, "new", IP)["application_id"]
    with pytest.raises(BadInput) as caught:
        apps.confirm_details(me, app_id, "yes", IP)
    assert caught.value.field == "confirmed"


def test_unknown_bank_is_refused_at_its_field(wang):
    me = session_of(WANG)
    app_id = apps.start(me, "new", IP)["application_id"]
    with pytest.raises(BadInput) as caught:
        apps.choose_bank(me, app_id, "hsbc", IP)
    assert caught.value.field == "bank_code"


GOOD_MAIL = {
    "method": "mail",
    "recipient": "王芳",
    "phone": "13800003333",
    "address": "德州市德城区新湖大街88号3号楼2单元501",
    "postal_code": "253000",
}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"recipient": ""}, "recipient"),
        ({"phone": "1380000333"}, "phone"),
        ({"phone": "23800003333"}, "phone"),
        ({"address": "德州市"}, "address"),
        ({"address": "德州市德城区" * 11}, "address"),
        ({"postal_code": "25300"}, "postal_code"),
        ({"postal_code": "25300a"}, "postal_code"),
        ({"method": "drone"}, "method"),
    ],
)
def test_mail_delivery_rules_name_the_failing_field(wang, change, field):
    with pytest.raises(BadInput) as caught:
        apps.check_delivery(dict(GOOD_MAIL, **change))
    assert caught.value.field == field


def test_mail_delivery_accepts_mobile_or_landline_with_area_code():
    assert apps.check_delivery(GOOD_MAIL)["phone"] == "13800003333"
    assert apps.check_delivery(dict(GOOD_MAIL, phone="0534-2612345"))["phone"] == "0534-2612345"


def test_pickup_needs_a_listed_outlet():
    with pytest.raises(BadInput) as caught:
        apps.check_delivery({"method": "pickup", "outlet_code": "beijing-1"})
    assert caught.value.field == "outlet_code"


def test_submit_before_photo_is_refused_naming_the_missing_step(wang):
    app_id = fill_until_photo()
    with pytest.raises(BadInput) as caught:
        apps.submit(session_of(WANG), app_id, IP)
    assert caught.value.field == "photo"


def test_submit_puts_card_into_production_and_closes_the_to_do_item(wang):
    app_id = fill_until_photo()
    upload_key = upload(app_id, images.valid())
    card_photos.check(session_of(WANG), app_id, upload_key, IP)
    answer = apps.submit(session_of(WANG), app_id, IP)
    assert answer["status"] == "SUBMITTED"
    assert answer["card"]["status_label"] == "制卡中"
    assert cards.current(WANG).bank_code == "ccb"
    assert list(PendingTask.query(WANG)) == []
    with pytest.raises(Conflict):
        apps.choose_bank(session_of(WANG), app_id, "icbc", IP)
    # still open while the card is being made: no second application
    with pytest.raises(Conflict):
        apps.start(session_of(WANG), "new", IP)
    assert ("card_application_submit", "ok") in actions_of(WANG)


def test_issue_makes_card_normal_and_finishes_the_application(wang):
    app_id = fill_until_photo()
    card_photos.check(session_of(WANG), app_id, upload(app_id, images.valid()), IP)
    apps.submit(session_of(WANG), app_id, IP)
    card = apps.issue(WANG, app_id, "E98765432", "6217002430001234567")
    assert card["status"] == "NORMAL"
    assert card["valid_until"][:4] == str(int(card["issued_on"][:4]) + 10)
    assert CardApplication.get(WANG, app_id).status == "ISSUED"
    with pytest.raises(CardApplication.DoesNotExist):
        CardApplication.get(WANG, "OPEN")


def test_withdraw_frees_the_slot_and_deletes_the_photo(wang):
    app_id = fill_until_photo()
    card_photos.check(session_of(WANG), app_id, upload(app_id, images.valid()), IP)
    photo_key = CardApplication.get(WANG, app_id).photo_key
    apps.withdraw(session_of(WANG), app_id, IP)
    assert [
        o["Key"]
        for o in storage.client()
        .list_objects_v2(Bucket=storage.bucket(), Prefix=photo_key)
        .get("Contents", [])
    ] == []
    assert apps.start(session_of(WANG), "new", IP)["status"] == "DRAFT"


def test_another_residents_application_is_not_found(wang, zhang):
    app_id = apps.start(session_of(WANG), "new", IP)["application_id"]
    with pytest.raises(NotFound):
        apps.get(session_of(ZHANG), app_id)
    with pytest.raises(NotFound):
        apps.choose_bank(session_of(ZHANG), app_id, "icbc", IP)


# ---- replacement ---------------------------------------------------------------------------


def test_replacement_needs_a_loss_report_first(zhang):
    give_card()
    with pytest.raises(Conflict) as caught:
        apps.start(session_of(ZHANG), "replacement", IP)
    assert caught.value.code == "card_not_lost"


def test_replacement_reuses_collection_and_cancels_the_lost_card(zhang):
    give_card()
    me = session_of(ZHANG)
    card_actions.report_loss(me, GOOD_PASSWORD, IP)
    started = apps.start(me, "replacement", IP)
    assert started["kind"] == "REPLACEMENT" and started["bank_code"] == "icbc"
    app_id = started["application_id"]
    apps.confirm_details(me, app_id, True, IP)
    apps.choose_bank(me, app_id, "icbc", IP)
    apps.set_delivery(me, app_id, GOOD_MAIL, IP)
    form = card_photos.upload_form(me, app_id, IP)
    storage.client().put_object(Bucket=storage.bucket(), Key=form["key"], Body=images.valid())
    card_photos.check(me, app_id, form["key"], IP)
    apps.submit(me, app_id, IP)
    assert Card.get(ZHANG, "C20150601000000AAAA").status == cards.CANCELLED
    assert cards.current(ZHANG).status == cards.IN_PRODUCTION


def test_cancel_loss_refused_while_a_replacement_draft_is_open(zhang):
    give_card(status=cards.LOST)
    apps.start(session_of(ZHANG), "replacement", IP)
    with pytest.raises(Conflict) as caught:
        card_actions.cancel_loss(session_of(ZHANG), GOOD_PASSWORD, IP)
    assert caught.value.code == "replacement_open"


def test_replacement_submit_fails_whole_when_the_card_is_no_longer_lost(zhang):
    give_card(status=cards.LOST)
    me = session_of(ZHANG)
    app_id = apps.start(me, "replacement", IP)["application_id"]
    apps.confirm_details(me, app_id, True, IP)
    apps.choose_bank(me, app_id, "icbc", IP)
    apps.set_delivery(me, app_id, {"method": "pickup", "outlet_code": "dz-center"}, IP)
    form = card_photos.upload_form(me, app_id, IP)
    storage.client().put_object(Bucket=storage.bucket(), Key=form["key"], Body=images.valid())
    card_photos.check(me, app_id, form["key"], IP)
    Card(id_number=ZHANG, card_id="C20150601000000AAAA").update(actions=[Card.status.set(cards.NORMAL)])
    with pytest.raises(Conflict) as caught:
        apps.submit(me, app_id, IP)
    assert caught.value.code == "application_conflict"
    assert CardApplication.get(ZHANG, app_id).status == "DRAFT"
    assert [c.status for c in cards.all_cards(ZHANG)] == [cards.NORMAL]
