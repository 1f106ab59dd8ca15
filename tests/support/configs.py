"""The ``support-refunds`` workflow of the tests' configs, written once.

    support_refunds_toml(PAUSE, REVIEW)                    # the workflow and two controls
    support_refunds_toml(name=NAME, owner=OWNER, risk_tier="high")
    support_refunds_toml(control("pause", "pause_workflow", controller="flags")) + KB_WORKFLOW

Tests add their own ``[store]``, sources and ``[controllers.*]`` around it.
"""

from __future__ import annotations

import json

WORKFLOW_ID = "support-refunds"
NAME = "Support refunds assistant"
OWNER = "Head of Support"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))  # a TOML basic string


def control(control_id: str, kind: str, **keys: object) -> str:
    """One ``[[workflows.controls]]`` table (keys in the order given)."""
    lines = ["[[workflows.controls]]", f"id = {_value(control_id)}", f"kind = {_value(kind)}"]
    lines += [f"{key} = {_value(value)}" for key, value in keys.items()]
    return "\n".join(lines) + "\n"


PAUSE = control("pause", "pause_workflow", critical=True)
REVIEW = control("review", "force_human_review")


def support_refunds_toml(
    *controls: str,
    name: str | None = None,
    owner: str | None = None,
    risk_tier: str | None = None,
) -> str:
    """The ``[[workflows]]`` table of ``support-refunds`` followed by its ``controls``."""
    lines = ["[[workflows]]", f"id = {_value(WORKFLOW_ID)}"]
    for key, value in (("name", name), ("owner", owner), ("risk_tier", risk_tier)):
        if value is not None:
            lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n" + "".join("\n" + c for c in controls)


def kb_workflow(source: str | None = None) -> str:
    """The second workflow of the containment tests: ``kb`` with a ``notes`` source block."""
    keys = {"source": source} if source is not None else {}
    return '\n[[workflows]]\nid = "kb"\n\n' + control("notes", "block_source", **keys)


KB_WORKFLOW = kb_workflow()


FLAG_PAUSE = control("pause", "pause_workflow", controller="flags", flag="support-refunds.pause")
PROMPT_ROLLBACK = control("prompt", "rollback_prompt", controller="prompts", prompt="refund-policy")


def controller(name: str, kind: str, url: str, *, timeout: float, token_env: str = "") -> str:
    """One ``[controllers.NAME]`` table."""
    lines = [f"[controllers.{name}]", f"kind = {_value(kind)}", f"url = {_value(url)}"]
    if token_env:
        lines.append(f"token_env = {_value(token_env)}")
    lines.append(f"timeout = {_value(timeout)}")
    return "\n".join(lines) + "\n"


def flags_and_prompts_toml(
    flags_url: str,
    prompts_url: str,
    *,
    token_prefix: str,
    timeout: float,
    flags_timeout: float | None = None,
) -> str:
    """The containment fault and secrets tests' config: an Unleash ``flags`` controller and a
    Phoenix ``prompts`` controller (tokens from ``{token_prefix}_UNLEASH_TOKEN`` and
    ``{token_prefix}_PHOENIX_TOKEN``), then ``support-refunds`` with a pause on a flag and a
    prompt rollback."""
    return (
        controller(
            "flags",
            "unleash",
            flags_url,
            token_env=f"{token_prefix}_UNLEASH_TOKEN",
            timeout=timeout if flags_timeout is None else flags_timeout,
        )
        + "\n"
        + controller(
            "prompts",
            "phoenix-prompts",
            prompts_url,
            token_env=f"{token_prefix}_PHOENIX_TOKEN",
            timeout=timeout,
        )
        + "\n"
        + support_refunds_toml(FLAG_PAUSE, PROMPT_ROLLBACK)
    )
