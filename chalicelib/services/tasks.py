"""To-do list (待办事项): the pending-tasks table. Later features add task kinds by calling
`upsert` when business is left unfinished and `close` when it ends."""

from __future__ import annotations

import contextlib
from typing import Any

from pynamodb.exceptions import DeleteError
from pynamodb.expressions.update import Action

from .. import clock
from ..models.tasks import PendingTask
from .sessions import CurrentSession


def list_for(current: CurrentSession) -> dict:
    items = PendingTask.query(current.id_number, scan_index_forward=True, limit=100)
    tasks = sorted(items, key=lambda t: t.updated_at, reverse=True)
    return {
        "items": [
            {
                "task_id": t.task_id,
                "kind": t.kind,
                "title": t.title,
                "step": t.step,
                "resume_path": t.resume_path,
                "created_at": t.created_at,
                "updated_at": t.updated_at,
            }
            for t in tasks
        ]
    }


def upsert(
    id_number: str,
    kind: str,
    reference: str,
    title: str,
    resume_path: str,
    step: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Create or refresh a to-do item in one UpdateItem (created_at kept if it exists)."""
    now = int(clock.now())
    actions: list[Action] = [
        PendingTask.kind.set(kind),
        PendingTask.title.set(title),
        PendingTask.resume_path.set(resume_path),
        PendingTask.updated_at.set(now),
        PendingTask.created_at.set(PendingTask.created_at | now),
    ]
    actions.append(PendingTask.step.set(step) if step is not None else PendingTask.step.remove())
    actions.append(PendingTask.data.set(data) if data is not None else PendingTask.data.remove())
    PendingTask(id_number=id_number, task_id=f"{kind}#{reference}").update(actions=actions)


def close(id_number: str, kind: str, reference: str) -> None:
    with contextlib.suppress(DeleteError):
        PendingTask(id_number=id_number, task_id=f"{kind}#{reference}").delete()
