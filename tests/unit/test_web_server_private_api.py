"""``cli/web_server.py`` overrides two private methods of textual-serve's ``Server``
(``_make_app`` to swap the page template, ``_process_messages`` to track open seats).
This fails as soon as textual-serve renames them, changes their signatures, or stops
calling them the way the overrides rely on: read web_server.py again before upgrading."""

from __future__ import annotations

import inspect

from textual_serve.server import Server

from ircmd.cli.web_server import SeatServer


def test_make_app_is_still_an_argument_free_coroutine_that_sets_up_jinja() -> None:
    method = Server._make_app
    assert inspect.iscoroutinefunction(method)
    assert list(inspect.signature(method).parameters) == ["self"]
    source = inspect.getsource(method)
    assert "aiohttp_jinja2.setup" in source  # the override replaces this loader
    assert "handle_websocket" in source  # and the websocket route is still ours to guard


def test_process_messages_still_takes_the_websocket_and_app_service() -> None:
    method = Server._process_messages
    assert inspect.iscoroutinefunction(method)
    assert list(inspect.signature(method).parameters) == ["self", "websocket", "app_service"]
    assert "self._process_messages(" in inspect.getsource(Server.handle_websocket)


def test_the_page_template_still_exists_and_names_google_fonts() -> None:
    server = SeatServer("true", origins={"http://127.0.0.1:1"}, host="127.0.0.1", port=1)
    page = (server.templates_path / "app_index.html").read_text(encoding="utf-8")
    assert "{{" in page  # still a jinja template
    from ircmd.cli.web_server import page_template

    assert "fonts.googleapis.com" not in page_template(server.templates_path)
