"""A handoff offer reads the task board, the due updates and every regulatory deadline
inside the store's transaction: the same packet on TinyDB and on a real PostgreSQL."""

from __future__ import annotations

from ircmd.service.comms.handoff import HandoffService
from ircmd.service.incidents.tasks import TaskService
from ircmd.service.regulatory.clocks import flag_clock
from tests.store.storekit import StoreSpec, service


def test_offer_and_accept_with_deadlines_on_both_stores(spec: StoreSpec) -> None:
    ana = service(spec.open(), actor="ana")
    inc, _ = ana.declare("Emails leaked", severity="high")
    flag_clock(ana, inc.id, "gdpr", member_state="DE")
    TaskService(ana).add(inc.id, "Call the DPO", due="+1h")
    packet, offered = HandoffService(ana).offer(inc.id, "bob")
    assert [(d["regime"], d["stage"]) for d in packet["deadlines"]] == [
        ("gdpr", "art33-supervisory-authority")
    ]
    assert "Call the DPO" in [t["title"] for t in packet["open_tasks"]]
    assert {u["audience"] for u in packet["due_updates"]} >= {"executives", "support"}
    bob = service(spec.open(), actor="bob")
    accepted = HandoffService(bob).accept(inc.id)
    assert accepted.data["offer"] == offered.hash
    assert HandoffService(ana).holder(inc.id).name == "bob"
