"""The pure ``:`` interpreter: parsing, errors with usage, completion, history, registry."""

from __future__ import annotations

import pytest

from ircmd.domain.incidents.commandline import (
    Command,
    CommandError,
    History,
    Opt,
    Param,
    Verb,
    VerbRegistry,
    common_prefix,
    tokenize,
)

STATUSES = ("detected", "triaged", "contained", "resolved")


def registry() -> VerbRegistry:
    return VerbRegistry(
        [
            Verb("note", "add a note", params=(Param("text", kind="text"),), aliases=("n",)),
            Verb(
                "status",
                "move",
                params=(Param("status", choices=STATUSES),),
                options=(Opt("reason", kind="text"), Opt("force", kind="flag")),
            ),
            Verb(
                "severity",
                "set level",
                params=(Param("level", choices=("low", "medium", "high", "critical", "auto")),),
                options=(Opt("reason", kind="text", required=True),),
            ),
            Verb(
                "role",
                "assign",
                params=(
                    Param("role", choices=("incident_lead", "scribe")),
                    Param("name", kind="text", required=False),
                ),
            ),
            Verb("tag", "tag", params=(Param("label", choices=lambda: ["LLM01", "LLM02"]),)),
            Verb("help", "help", mutates=False),
            Verb("open", "open", params=(Param("id"),), mutates=False),
        ]
    )


def test_text_takes_the_rest_of_the_line_verbatim() -> None:
    cmd = registry().parse(":note customer's refund  was  wrong")
    assert cmd.verb.name == "note"
    assert cmd.arg("text") == "customer's refund  was  wrong"


def test_alias_and_prompt_colon() -> None:
    assert registry().parse("  :n hello").verb.name == "note"


def test_text_option_stops_at_the_next_known_option() -> None:
    cmd = registry().parse("status resolved --reason all clear, see #inc thread --force")
    assert cmd.arg("status") == "resolved"
    assert cmd.opt("reason") == "all clear, see #inc thread"
    assert cmd.flag("force")


def test_unknown_dashes_inside_text_are_text() -> None:
    cmd = registry().parse("note use --dry-run next time")
    assert cmd.arg("text") == "use --dry-run next time"


def test_quoted_word_and_equals_form() -> None:
    reg = registry()
    assert reg.parse('tag "LLM01"').arg("label") == "LLM01"
    cmd = reg.parse("severity high --reason=customer data seen")
    assert cmd.opt("reason") == "customer data seen"
    assert reg.parse('note "quoted whole"').arg("text") == "quoted whole"


def test_optional_param_may_be_missing() -> None:
    cmd = registry().parse("role scribe")
    assert cmd.arg("name") == ""


@pytest.mark.parametrize(
    ("line", "message", "usage"),
    [
        ("", "empty command", "help"),
        ("frobnicate", "unknown command 'frobnicate'", "help"),
        ("stauts triaged", "did you mean status?", "help"),
        ("note", "note needs TEXT", "note TEXT…"),
        ("severity high", "severity needs --reason", "severity LEVEL --reason REASON…"),
        ("severity high --reason", "--reason needs a value", "severity LEVEL"),
        ("status triaged --bogus", "status has no option --bogus", "status STATUS"),
        ("status triaged extra", "unexpected 'extra'", "status STATUS"),
        ("status --force=yes resolved", "--force takes no value", "status STATUS"),
        ('tag "LLM01', 'unclosed " quote at column 5', ""),
    ],
)
def test_errors_are_one_line_with_usage(line: str, message: str, usage: str) -> None:
    with pytest.raises(CommandError) as info:
        registry().parse(line)
    text = str(info.value)
    assert "\n" not in text
    assert message in text
    assert usage in info.value.usage


def test_read_only_refuses_writes_and_hides_them() -> None:
    reg = registry()
    with pytest.raises(CommandError, match="read-only seat: note"):
        reg.parse("note hi", read_only=True)
    assert reg.parse("open INC-0001", read_only=True).verb.name == "open"
    names = [v.name for v in reg.verbs(read_only=True)]
    assert names == ["help", "open"]
    assert reg.complete("no", read_only=True) == []


def test_complete_verbs_and_choices() -> None:
    reg = registry()
    assert reg.complete("s") == ["severity ", "status "]
    assert reg.complete(":st") == [":status "]
    assert reg.complete("status tr") == ["status triaged "]
    assert reg.complete("status ") == [f"status {s} " for s in STATUSES]
    assert reg.complete("status resolved --") == [
        "status resolved --reason ",
        "status resolved --force ",
    ]
    assert reg.complete("tag ") == ["tag LLM01 ", "tag LLM02 "]
    assert reg.complete("note some te") == []  # free text: nothing to complete
    assert reg.complete("status resolved --reason because ") == []
    assert reg.complete("bogus ") == []


def test_completion_survives_a_broken_choices_callable() -> None:
    def boom() -> list[str]:
        raise RuntimeError("backend down")

    reg = VerbRegistry([Verb("contain", "x", params=(Param("control", choices=boom),))])
    assert reg.complete("contain ") == []


def test_registry_refuses_duplicates_unless_replace() -> None:
    reg = registry()
    with pytest.raises(ValueError, match="already registered"):
        reg.register(Verb("note", "again", source="other"))
    with pytest.raises(ValueError, match="already registered"):
        reg.register(Verb("nope", "alias clash", aliases=("n",)))
    reg.register(Verb("note", "replaced"), replace=True)
    assert (note := reg.get("note")) is not None and note.summary == "replaced"
    assert reg.get("n") is None  # the old alias went with the old verb
    with pytest.raises(ValueError, match="bad verb name"):
        reg.register(Verb("two words", "x"))


def test_pane_verbs_plug_in_and_run_their_handler() -> None:
    ran: list[Command] = []
    reg = registry()
    reg.register(
        Verb(
            "contain",
            "turn a control on",
            params=(Param("control", choices=("pause", "human-review")),),
            options=(Opt("reason", kind="text", required=True),),
            handler=ran.append,
            source="containment",
        )
    )
    cmd = reg.parse("contain pause --reason refunds going out")
    assert cmd.verb.handler is not None
    cmd.verb.handler(cmd)
    assert ran[0].arg("control") == "pause"
    assert ("contain CONTROL --reason REASON…", "turn a control on") in reg.help_rows()


def test_hostile_text_is_kept_as_data() -> None:
    payload = "[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07"
    cmd = registry().parse(f"note {payload}")
    assert cmd.arg("text") == payload.strip()


def test_tokenize_apostrophes_are_not_quotes() -> None:
    assert [t.text for t in tokenize("note don't stop")] == ["note", "don't", "stop"]


def test_history_walks_like_a_shell() -> None:
    h = History()
    for line in ("note a", "note b", "note b", "  "):
        h.add(line)
    assert h.entries == ["note a", "note b"]
    assert h.older("draft") == "note b"
    assert h.older("") == "note a"
    assert h.older("") == "note a"
    assert h.newer() == "note b"
    assert h.newer() == "draft"
    small = History(limit=2)
    for line in ("a", "b", "c"):
        small.add(line)
    assert small.entries == ["b", "c"]


def test_common_prefix() -> None:
    assert common_prefix(["status ", "severity "]) == "s"
    assert common_prefix([]) == ""
