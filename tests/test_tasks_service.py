"""To-do items: one UpdateItem creates or refreshes them; the creation time is kept."""

from __future__ import annotations

from chalicelib.models.tasks import PendingTask
from chalicelib.services import tasks

from .helpers import ZHANG


def test_refreshing_a_task_keeps_its_creation_time_and_drops_stale_step(tables, frozen_clock):
    tasks.upsert(ZHANG, "card_application", "A1", "采集", "/card/apply.html", step="bank", data={"s": 1})
    first = PendingTask.get(ZHANG, "card_application#A1")
    frozen_clock.shift(120)
    tasks.upsert(ZHANG, "card_application", "A1", "采集（续）", "/card/apply.html?step=photo")
    second = PendingTask.get(ZHANG, "card_application#A1")
    assert second.created_at == first.created_at
    assert second.updated_at == first.updated_at + 120
    assert (second.title, second.resume_path, second.step, second.data) == (
        "采集（续）",
        "/card/apply.html?step=photo",
        None,
        None,
    )
    assert PendingTask.count(ZHANG) == 1
