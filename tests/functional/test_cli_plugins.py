"""Third-party backend kinds from the ``ircmd.backends`` entry-point group: the test plug-in
package (``tests/plugins/ircmd_testplugin``, installed into the test venv) is configured,
validated with its own keys and used through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not any(ep.name == "testsignals" for ep in entry_points(group="ircmd.backends"))
    and os.environ.get("IRCMD_REQUIRE_SERVICES") != "1",  # CI (scripts/test.sh) installs it
    reason="the test plug-in is not installed (pip install -e tests/plugins/ircmd_testplugin)",
)

ALERTS = [
    {
        "fingerprint": "f00dfeed00000001",
        "labels": {"alertname": "RefundPromisesSpike", "workflow": "support-refunds"},
        "annotations": {"summary": "refund promises [b]above[/b] policy"},
        "startsAt": "2026-11-28T09:00:00Z",
    }
]


def ircmd(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ircmd.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "IRCMD_CONFIG": str(config)},
        timeout=60,
    )


def write_config(tmp_path: Path, table: str) -> Path:
    alerts = tmp_path / "alerts.json"
    alerts.write_text(json.dumps(ALERTS), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        f'author = "ic"\n\n[[signal_sources]]\nname = "fixed"\n{table.format(alerts=alerts)}',
        encoding="utf-8",
    )
    return config


def test_a_plugin_signal_source_is_configured_and_listed(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, 'kind = "testsignals"\npath = "{alerts}"\ndefault_severity = "critical"\n'
    )
    proc = ircmd(config, "signals", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    [signal] = json.loads(proc.stdout)
    assert signal["source"] == "fixed"
    assert signal["fingerprint"] == "f00dfeed00000001"
    # the plug-in's own key reached its factory, validated
    assert signal["labels"]["severity"] == "critical"
    text = ircmd(config, "signals", "list")
    assert text.returncode == 0, text.stderr
    assert "f00dfeed00000001" in text.stdout and "RefundPromisesSpike" in text.stdout


def test_a_misspelled_plugin_key_is_rejected_with_file_line_and_key(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'kind = "testsignals"\npath = "{alerts}"\nintervall = 5\n')
    proc = ircmd(config, "signals", "list")
    assert proc.returncode == 1
    assert (
        proc.stderr.strip() == f"ircmd: error: {config}:7: signal_sources[0].intervall: unknown key"
    )


def test_a_plugin_key_of_the_wrong_type_is_rejected_by_the_plugins_model(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'kind = "testsignals"\npath = "{alerts}"\ninterval = -1\n')
    proc = ircmd(config, "signals", "list")
    assert proc.returncode == 1
    assert f"{config}:7: signal_sources[0].interval:" in proc.stderr
    assert "greater than 0" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_missing_required_plugin_key_is_named(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'kind = "testsignals"\n')
    proc = ircmd(config, "signals", "list")
    assert proc.returncode == 1
    assert "signal_sources[0].path: Field required" in proc.stderr


def test_an_unknown_kind_is_rejected_naming_the_installed_kinds(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'kind = "testsignalz"\npath = "{alerts}"\n')
    proc = ircmd(config, "signals", "list")
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"ircmd: error: {config}:5: signal_sources[0].kind: 'testsignalz' is not one of: "
        "alertmanager, testsignals"
    )


def test_a_plugin_kind_is_refused_in_a_section_it_does_not_declare(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[trace_sources]]\nname = "t"\nkind = "testsignals"\n', encoding="utf-8")
    proc = ircmd(config, "incident", "list")
    assert proc.returncode == 1
    assert "trace_sources[0].kind: 'testsignals' is not one of: files, otlp, phoenix" in (
        proc.stderr
    )
