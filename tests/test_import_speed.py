"""What keeps the importer near raw BatchWriteItem speed: persons looked up together (moto)."""

from __future__ import annotations

from infra.importer import runner

from .test_import import files, run  # noqa: F401 (the fixture)


def test_persons_are_looked_up_together_not_one_request_each(tables, files, monkeypatch):  # noqa: F811
    run("persons", files)
    calls: list[str] = []
    original = runner.ddb_client

    def counting_client():
        client = original()
        client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
        return client

    monkeypatch.setattr(runner, "ddb_client", counting_client)
    counts = run("contributions", files)
    assert counts.written > 0
    assert calls.count("BatchGetItem") == 1 and "GetItem" not in calls
