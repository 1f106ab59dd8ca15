"""The war-room header's "at risk" segment: the findings' spend and refund amounts.

Read by a thread worker through ``service.investigate.money`` after each room load; the
label comes back as a Message and the header is redrawn with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from ircmd.domain.text import one_line

if TYPE_CHECKING:
    from ircmd.service.workspace import Workspace


class MoneyAtRiskRead(Message, bubble=False):
    def __init__(self, label: str | None, problem: str = "") -> None:
        super().__init__()
        self.label = label
        self.problem = problem


class MoneyAtRiskMixin:
    """Mixed into ``WarRoomScreen``; relies on its ``workspace``, ``incident_id`` and
    ``_refresh_header``."""

    workspace: Workspace
    incident_id: str
    money_at_risk_label: str | None = None

    if TYPE_CHECKING:

        def post_message(self, message: Message) -> bool: ...

        def _refresh_header(self) -> None: ...

        def say(self, text: str, *, error: bool = False) -> Any: ...

        def _first_data(self, name: str) -> None: ...

    @work(thread=True, exclusive=True, group="warroom-money", exit_on_error=False)
    def read_money_at_risk(self) -> None:
        from ircmd.service.investigate.money import incident_money_at_risk

        try:
            risk = incident_money_at_risk(self.workspace, self.incident_id)
        except Exception as exc:  # a broken spool or price table is a line, not a crash
            self.post_message(MoneyAtRiskRead(None, f"money at risk: {one_line(exc, 200)}"))
            return
        self.post_message(MoneyAtRiskRead(risk.label() if risk is not None else None))

    def on_money_at_risk_read(self, message: MoneyAtRiskRead) -> None:
        if message.problem:
            self.say(message.problem, error=True)
        if message.label != self.money_at_risk_label:
            self.money_at_risk_label = message.label
            self._refresh_header()
        self._first_data("money")  # the header is whole: the first frame may be painted
