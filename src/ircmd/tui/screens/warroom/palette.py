"""``ctrl+p`` in the war room: every ``:`` command and pane action, fuzzy-searched."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher


class WarRoomCommands(Provider):
    def _items(self) -> list[tuple[str, str, Callable[[], object]]]:
        commands = getattr(self.screen, "palette_commands", None)
        return commands() if callable(commands) else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._items():
            yield DiscoveryHit(Content(title), callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._items():
            score = max(matcher.match(title), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, _highlight(matcher, title), callback, help=help_text)


def _highlight(matcher: Matcher, title: str) -> Content:
    """Like ``Matcher.highlight`` but never parses the title as markup (usages have [...])."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize("bold underline", offset, offset + 1)
    return content
