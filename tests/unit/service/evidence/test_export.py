"""The evidence package: export → verify round trip, tampering, never clobbering, the
EXPORT event, redaction by profile (and the store left untouched)."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests.evidence_fixtures import (
    CUSTOM_ACCOUNT,
    ENV_SECRET,
    ENVIRON,
    PII,
    open_workspace,
    seed_incident,
)

from ircmd.cli import main
from ircmd.domain.incidents.timeline import EventKind, sha256_hex
from ircmd.service import Workspace
from ircmd.service.evidence.export import ExportError, ExportResult, export_incident, verify_bundle
from ircmd.service.evidence.review import add_eval_case


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = open_workspace(tmp_path)
    yield w
    w.close()


def _export(
    ws: Workspace, tmp_path: Path, name: str = "pkg", **kw: Any
) -> tuple[str, list[str], Path, ExportResult]:
    iid, digests = seed_incident(ws)
    out = tmp_path / name
    result = export_incident(ws.incidents, iid, out, environ=ENVIRON, **kw)
    return iid, digests, out, result


def test_round_trip_directory(ws: Workspace, tmp_path: Path) -> None:
    iid, digests, out, result = _export(ws, tmp_path)
    problems, manifest = verify_bundle(out)
    assert problems == []
    assert manifest["incident_id"] == iid
    assert manifest["profile"] == "internal"
    assert manifest["tool_version"]
    paths = {f["path"] for f in manifest["files"]}
    for required in (
        "incident.json",
        "timeline.jsonl",
        "history/severity.json",
        "history/classification.json",
        "containment.json",
        "findings.json",
        "evidence/index.json",
        "report.md",
    ):
        assert required in paths
    for d in digests:
        assert f"evidence/{d}.json" in paths
        # the pinned span is its canonical JSON, byte for byte
        assert sha256_hex((out / "evidence" / f"{d}.json").read_bytes()) == d
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == sha256_hex(data)
    severity = json.loads((out / "history/severity.json").read_text())
    assert [(s["from"], s["to"]) for s in severity] == [(None, "medium"), ("medium", "high")]
    containment = json.loads((out / "containment.json").read_text())
    assert [c["kind"] for c in containment] == ["containment_requested", "containment_confirmed"]
    findings = json.loads((out / "findings.json").read_text())
    assert findings[0]["data"]["conversations"] == 37
    assert result.manifest_sha256 == sha256_hex((out / "manifest.json").read_bytes())


def test_export_records_an_export_event_with_the_manifest_digest(
    ws: Workspace, tmp_path: Path
) -> None:
    iid, _d, out, result = _export(ws, tmp_path)
    last = ws.incidents.timeline(iid)[-1]
    assert last.kind == EventKind.EXPORT
    assert last.data["manifest_sha256"] == result.manifest_sha256
    assert last.data["profile"] == "internal"
    # the package holds the timeline as it was before the export event
    n = len((out / "timeline.jsonl").read_text().splitlines())
    assert n == last.seq - 1


def test_round_trip_tar_gz_and_tamper_inside(ws: Workspace, tmp_path: Path) -> None:
    iid, _d, out, _r = _export(ws, tmp_path, "pkg.tar.gz", fmt="tar.gz")
    assert verify_bundle(out)[0] == []
    before = out.read_bytes()
    with pytest.raises(ExportError, match="already exists"):
        export_incident(ws.incidents, iid, out, fmt="tar.gz", environ=ENVIRON)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".pkg")) == []
    # rebuild the archive with one byte of report.md changed
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(out) as src, tarfile.open(bad, "w:gz") as dst:
        for m in src.getmembers():
            member = src.extractfile(m)
            assert member is not None, m.name
            data = member.read()
            if m.name.endswith("report.md"):
                data = data.replace(b"#", b"%", 1)
            import io

            dst.addfile(m, io.BytesIO(data))
    problems, _ = verify_bundle(bad)
    assert [p.where for p in problems] == ["report.md"]
    assert "SHA-256" in problems[0].problem


def test_tamper_one_byte_of_a_file_names_it(ws: Workspace, tmp_path: Path) -> None:
    _iid, digests, out, _r = _export(ws, tmp_path)
    target = out / "evidence" / f"{digests[1]}.json"
    data = bytearray(target.read_bytes())
    data[10] ^= 0x01
    target.write_bytes(bytes(data))
    problems, _ = verify_bundle(out)
    assert str(problems[0]).startswith(f"evidence/{digests[1]}.json:")


def test_tamper_one_event_even_with_a_fixed_manifest_names_the_event(
    ws: Workspace, tmp_path: Path
) -> None:
    _iid, _d, out, _r = _export(ws, tmp_path)
    tl = out / "timeline.jsonl"
    lines = tl.read_text().splitlines()
    rec = json.loads(lines[2])
    rec["text"] = rec["text"] + " (edited)"
    lines[2] = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    tl.write_text("\n".join(lines) + "\n")
    # a careful forger also fixes the manifest's digest of timeline.jsonl
    manifest = json.loads((out / "manifest.json").read_text())
    for f in manifest["files"]:
        if f["path"] == "timeline.jsonl":
            f["sha256"] = sha256_hex(tl.read_bytes())
            f["size"] = len(tl.read_bytes())
    (out / "manifest.json").write_text(json.dumps(manifest))
    problems, _ = verify_bundle(out)
    assert [str(p) for p in problems] == [
        "timeline.jsonl event 3: content does not match its hash (edited)"
    ]


def test_removed_event_and_added_file_are_named(ws: Workspace, tmp_path: Path) -> None:
    _iid, _d, out, _r = _export(ws, tmp_path)
    tl = out / "timeline.jsonl"
    lines = tl.read_text().splitlines()
    del lines[4]
    tl.write_text("\n".join(lines) + "\n")
    (out / "extra.txt").write_text("slipped in")
    problems = [str(p) for p in verify_bundle(out)[0]]
    assert problems[0].startswith("timeline.jsonl: ")  # digest mismatch first
    assert "extra.txt: not listed in the manifest (added)" in problems
    assert any(p.startswith("timeline.jsonl event 6: expected event 5") for p in problems)


def test_never_clobbers_and_force_replaces(ws: Workspace, tmp_path: Path) -> None:
    iid, _d, out, _r = _export(ws, tmp_path)
    marker = (out / "manifest.json").read_bytes()
    with pytest.raises(ExportError, match="already exists"):
        export_incident(ws.incidents, iid, out, environ=ENVIRON)
    assert (out / "manifest.json").read_bytes() == marker
    export_incident(ws.incidents, iid, out, environ=ENVIRON, force=True)
    assert (out / "manifest.json").read_bytes() != marker
    assert verify_bundle(out)[0] == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pkg.")]  # no temp left
    other = tmp_path / "not-a-package"
    other.mkdir()
    (other / "precious.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not a package"):
        export_incident(ws.incidents, iid, other, environ=ENVIRON, force=True)
    assert (other / "precious.txt").read_text() == "keep me"


def _all_text(out: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(out.rglob("*")) if p.is_file())


def test_external_profile_leaves_no_pii_or_secret_and_counts_match(
    ws: Workspace, tmp_path: Path
) -> None:
    iid, digests = seed_incident(ws)
    add_eval_case(ws.incidents, iid, digests[0], "Refuse; never echo jane.doe@example.com")
    out = tmp_path / "pkg"
    result = export_incident(ws.incidents, iid, out, environ=ENVIRON, profile="external")
    assert verify_bundle(out)[0] == []
    everything = _all_text(out)
    for kind, values in PII.items():
        for v in values:
            assert v not in everything, (kind, v)
    assert ENV_SECRET not in everything
    assert CUSTOM_ACCOUNT not in everything
    assert "You will get a 500 EUR refund." not in everything  # message content
    manifest = json.loads((out / "manifest.json").read_text())
    counts = manifest["redactions"]
    assert counts == result.redactions
    # The counts are the placeholders in the files holding source records (derived files
    # such as report.md and the histories reuse already-redacted values).
    sources = [out / "incident.json", out / "timeline.jsonl", out / "evidence" / "index.json"]
    sources.append(out / "eval_cases.jsonl")
    sources += [p for p in (out / "evidence").glob("*.json") if p.name != "index.json"]
    text = "\n".join(p.read_text() for p in sources)
    for kind, n in counts.items():
        assert text.count(f"[REDACTED:{kind}]") == n, kind
    for kind in (
        "email",
        "phone",
        "payment_card",
        "api_key",
        "bearer_token",
        "ip_address",
        "secret",
        "note",
        "message_content",
        "tool_arguments",
    ):
        assert counts.get(kind, 0) >= 1, kind
    # the redacted eval case still fits its schema
    schema = json.loads(files("ircmd.data").joinpath("eval_case.schema.json").read_text())
    (case,) = [json.loads(x) for x in (out / "eval_cases.jsonl").read_text().splitlines()]
    jsonschema.validate(case, schema)
    assert case["bad_output"] == "[REDACTED:message_content]"
    assert case["expected_behaviour"] == "Refuse; never echo [REDACTED:email]"
    # redacted events are marked, and keep their place in the chain
    lines = [json.loads(x) for x in (out / "timeline.jsonl").read_text().splitlines()]
    note = next(x for x in lines if x["kind"] == "note")
    assert note["redacted"] is True and note["text"] == "[REDACTED:note]"
    # the store is untouched: the note still holds what was written
    stored = next(e for e in ws.incidents.timeline(iid) if e.kind == EventKind.NOTE)
    assert PII["email"][1] in stored.text
    assert ws.store.verify() == []


def test_legal_profile_keeps_contents_but_not_secrets(ws: Workspace, tmp_path: Path) -> None:
    _iid, _d, out, _r = _export(ws, tmp_path, profile="legal")
    everything = _all_text(out)
    assert PII["email"][1] in everything  # contents kept for legal
    assert "You will get a 500 EUR refund." in everything
    for v in [*PII["api_key"], *PII["bearer_token"], *PII["payment_card"], ENV_SECRET]:
        assert v not in everything, v
    assert verify_bundle(out)[0] == []


def test_internal_profile_still_hides_env_secrets(ws: Workspace, tmp_path: Path) -> None:
    _iid, _d, out, result = _export(ws, tmp_path)
    everything = _all_text(out)
    assert ENV_SECRET not in everything
    assert PII["email"][1] in everything
    # Credentials go in every profile: the env secret and both Authorization: Bearer values.
    assert PII["bearer_token"][0] not in everything
    assert result.redactions == {"secret": 3}


def test_report_has_the_review_shape(ws: Workspace, tmp_path: Path) -> None:
    _iid, _d, out, _r = _export(ws, tmp_path)
    report = (out / "report.md").read_text()
    for heading in (
        "## Overview",
        "## What happened",
        "## Contributing factors",
        "## Resolution",
        "## Impact",
        "## Responders",
        "## Timeline",
        "## What went well",
        "## What went badly",
        "## Action items",
        "## Messaging",
        "### AI system involved",
        "### Spans pinned",
        "### Containment used",
        "### Eval cases added",
    ):
        assert heading in report, heading
    # model / provider versions come from the pinned spans
    assert "- model: gpt-4o-2024-08-06" in report
    assert "- provider: openai" in report
    assert "| Classification | ai incident |" in report


def test_cli_export_and_verify_exit_codes(
    ws: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    iid, _d = seed_incident(ws)
    ws.close()
    (tmp_path / "config.toml").write_text("")
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "config.toml"))
    out = tmp_path / "cli-pkg.tar.gz"
    assert main(["export", iid, "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["format"] == "tar.gz"
    assert main(["verify-bundle", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {iid}")
    ext = tmp_path / "ext"
    assert main(["export", iid, "--out", str(ext), "--profile", "external"]) == 0
    capsys.readouterr()
    assert main(["verify-bundle", str(ext), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["redacted_events"] >= 3 and report["redacted_spans"] == 2
    # the store vouches for the manifest; a rewritten one (even self-consistent) is caught
    assert main(["verify-bundle", str(ext), "--against-store"]) == 0
    capsys.readouterr()
    forged = json.loads((ext / "manifest.json").read_text())
    forged["created_by"] = "mallory"
    (ext / "manifest.json").write_text(json.dumps(forged))
    assert main(["verify-bundle", str(ext)]) == 0  # self-consistent on its own
    capsys.readouterr()
    assert main(["verify-bundle", str(ext), "--against-store"]) == 1
    assert "not recorded by any export of" in capsys.readouterr().err
    assert main(["export", iid, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err
    assert main(["verify-bundle", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["export", iid, "--out", str(tmp_path / "x"), "--profile", "public"]) == 2


HOSTILE = "[@click=app.quit]x[/] [link=file:///etc/passwd]y \x1b]52;c;SGVsbG8=\x07 \x9b31m [/]"


def test_hostile_text_never_reaches_a_terminal(
    ws: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    iid, _d = seed_incident(ws)
    ws.incidents.note(iid, HOSTILE)
    ws.incidents.decide(iid, HOSTILE)
    out = tmp_path / "pkg"
    export_incident(ws.incidents, iid, out, environ=ENVIRON)
    report = (out / "report.md").read_text()
    assert "[@click=app.quit]x[/]" in report  # shown literally ...
    for ch in ("\x1b", "\x07", "\x9b"):  # ... with no control character left
        assert ch not in report
    for p in out.rglob("*.json*"):
        assert "\x1b" not in p.read_text()  # JSON escapes them (\u001b)
    assert verify_bundle(out)[0] == []
    # a forged archive whose member names carry escape sequences
    bad = tmp_path / "bad.tar.gz"
    import io

    with tarfile.open(bad, "w:gz") as tar:
        for p in sorted(out.rglob("*")):
            if p.is_file():
                info = tarfile.TarInfo(p.relative_to(out).as_posix())
                data = p.read_bytes()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("evil\x1b]52;c;SGVsbG8=\x07.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    ws.close()
    (tmp_path / "config.toml").write_text("")
    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "config.toml"))
    assert main(["verify-bundle", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "not listed in the manifest" in captured.err
    for stream in (captured.out, captured.err):
        assert "\x1b" not in stream and "\x07" not in stream


def test_a_broken_store_chain_is_warned_about_and_fails_verification(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    iid, _d = seed_incident(ws)
    records = ws.store.event_records(iid)
    records[3] = {**records[3], "text": "rewritten history"}
    from ircmd.domain.incidents.timeline import TimelineEvent

    with monkeypatch.context() as m:
        m.setattr(ws.store, "event_records", lambda _iid: records)
        m.setattr(
            ws.store,
            "events",
            lambda _iid, after_seq=0: [
                TimelineEvent.from_record(r) for r in records if r["seq"] > after_seq
            ],
        )
        out = tmp_path / "pkg"
        result = export_incident(ws.incidents, iid, out, environ=ENVIRON, record=False)
    assert result.warnings == [
        f"store timeline: {iid} event 4: content does not match its hash (edited)"
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["warnings"] == result.warnings
    assert [str(p) for p in verify_bundle(out)[0]] == [
        "timeline.jsonl event 4: content does not match its hash (edited)"
    ]
