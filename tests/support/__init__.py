"""Shared test support: waiting on the app, the ``support-refunds`` workflow config, apps.

from tests.support import wait_until, poll_until, support_refunds_toml, make_app
"""

from tests.support.configs import KB_WORKFLOW, control, support_refunds_toml
from tests.support.waiting import apoll_until, poll_until, settle, shown, wait_until

__all__ = [
    "KB_WORKFLOW",
    "apoll_until",
    "control",
    "poll_until",
    "settle",
    "shown",
    "support_refunds_toml",
    "wait_until",
]
