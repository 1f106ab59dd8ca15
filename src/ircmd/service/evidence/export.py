"""The evidence package: export one incident to a self-contained, verifiable directory or
``.tar.gz``, and verify one.

Writing is atomic: the package is assembled in a temporary sibling and renamed into place;
an existing path is never replaced unless ``force`` says so. Redaction works on copies
only. A successful export records an ``EXPORT`` event carrying the manifest's SHA-256, so
the store's own hash chain vouches for the package.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ircmd import __version__
from ircmd.domain.evidence.bundle import (
    MANIFEST,
    BundleProblem,
    build_manifest,
    manifest_bytes,
    safe_member,
    unverifiable,
    verify_package,
)
from ircmd.domain.evidence.redaction import Profile
from ircmd.domain.incidents.incident import DomainError
from ircmd.domain.incidents.timeline import (
    EventKind,
    sha256_hex,
    verify_records,
)
from ircmd.service.evidence.dossier import load_dossier, make_redactor
from ircmd.service.evidence.package import package_files
from ircmd.service.incidents.service import IncidentService


class ExportError(DomainError):
    """The package could not be written (path exists, not writable...)."""


@dataclass
class ExportResult:
    path: Path
    profile: str
    format: str
    manifest_sha256: str
    files: int
    redactions: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    recorded: bool = False


# -- writing ------------------------------------------------------------------------------


def _check_target(out: Path, force: bool) -> None:
    if out.exists() or out.is_symlink():
        if not force:
            raise ExportError(f"{out} already exists; choose another path or pass --force")
        if out.is_dir() and not (out / MANIFEST).exists() and any(out.iterdir()):
            raise ExportError(
                f"{out} is a non-empty directory that is not a package; not replacing it"
            )
    if not out.parent.exists():
        raise ExportError(f"{out.parent} does not exist")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_package(files: Mapping[str, bytes], out: Path, fmt: str, force: bool) -> None:
    _check_target(out, force)
    parent = out.parent
    if fmt == "dir":
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
        try:
            for rel, data in files.items():
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            for d in sorted({(tmp / rel).parent for rel in files}, reverse=True):
                _fsync_dir(d)
            if out.exists():  # force: move the old one aside, then swap
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
                os.rmdir(old)
                os.rename(out, old)
                os.rename(tmp, out)
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)
            else:
                os.rename(tmp, out)
            _fsync_dir(parent)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
    try:
        root = out.name[: -len(".tar.gz")] if out.name.endswith(".tar.gz") else out.stem
        with os.fdopen(fd, "wb") as fh:
            with tarfile.open(fileobj=fh, mode="w:gz") as tar:
                for rel in sorted(files):
                    info = tarfile.TarInfo(f"{root}/{rel}")
                    info.size = len(files[rel])
                    info.mode = 0o644
                    info.mtime = 0
                    tar.addfile(info, io.BytesIO(files[rel]))
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp_name, out)
        else:
            os.link(tmp_name, out)  # fails if ``out`` appeared meanwhile: never clobber
            os.unlink(tmp_name)
        _fsync_dir(parent)
    except FileExistsError:
        os.unlink(tmp_name)
        raise ExportError(f"{out} already exists; choose another path or pass --force") from None
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def export_incident(
    service: IncidentService,
    incident_id: str,
    out: Path,
    *,
    profile: Profile | str = Profile.INTERNAL,
    fmt: str = "dir",
    force: bool = False,
    record: bool = True,
    environ: Mapping[str, str] | None = None,
) -> ExportResult:
    prof = profile if isinstance(profile, Profile) else Profile.parse(profile)
    if fmt not in ("dir", "tar.gz"):
        raise ExportError(f"unknown format {fmt!r}; use dir or tar.gz")
    dossier = load_dossier(service, incident_id)
    redactor = make_redactor(service.config, prof, environ)
    now = service.clock()
    files, warnings = package_files(dossier, redactor, profile=prof, now=now, author=service.actor)
    warnings += [
        f"store timeline: {p}" for p in verify_records(dossier.incident.id, dossier.records)
    ]
    head = dossier.events[-1].hash if dossier.events else ""
    head_mac = str(dossier.records[-1].get("mac", "")) if dossier.records else ""
    manifest = build_manifest(
        incident_id=dossier.incident.id,
        tool_version=__version__,
        profile=prof.value,
        created_at=now,
        created_by=redactor.text(service.actor),
        files=files,
        redactions=redactor.summary(),
        timeline_head=head,
        timeline_events=len(dossier.events),
        extra={"warnings": warnings} if warnings else None,
    )
    # The head event's MAC under the store's chain key ("" for an unkeyed head): a key
    # holder can check the package's head against the store (verify-bundle --against-store).
    manifest["timeline"]["head_mac"] = head_mac
    mbytes = manifest_bytes(manifest)
    all_files = {**files, MANIFEST: mbytes}
    write_package(all_files, out, fmt, force)
    result = ExportResult(
        path=out,
        profile=prof.value,
        format=fmt,
        manifest_sha256=sha256_hex(mbytes),
        files=len(files),
        redactions=redactor.summary(),
        warnings=warnings,
    )
    if record:
        service.add_event(
            dossier.incident.id,
            EventKind.EXPORT,
            f"Evidence package exported ({prof.value}, {fmt}): {out.name}",
            {
                "path": str(out),
                "profile": prof.value,
                "format": fmt,
                "manifest_sha256": result.manifest_sha256,
                "files": result.files,
                "redactions": result.redactions,
                "timeline_head": head,
                "timeline_head_mac": head_mac,
            },
        )
        result.recorded = True
    return result


# -- verifying ----------------------------------------------------------------------------


def read_package(path: Path) -> tuple[dict[str, bytes], list[BundleProblem]]:
    """All files of a package directory or ``.tar.gz`` (paths relative to its root)."""
    if not path.exists():
        raise ExportError(f"{path} does not exist")
    files: dict[str, bytes] = {}
    problems: list[BundleProblem] = []
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(path).as_posix()
            if p.is_symlink():
                problems.append(BundleProblem(rel, "is a symbolic link (not allowed in a package)"))
            elif p.is_file():
                files[rel] = p.read_bytes()
        return files, problems
    try:
        with tarfile.open(path, mode="r:*") as tar:
            members = tar.getmembers()
            roots = {m.name.split("/", 1)[0] for m in members}
            strip = len(roots) == 1 and not any(m.name == MANIFEST for m in members)
            for m in members:
                name = m.name.split("/", 1)[1] if strip and "/" in m.name else m.name
                if m.isdir():
                    continue
                if not m.isfile():
                    problems.append(BundleProblem(name, "is not a regular file (link or device)"))
                    continue
                if not safe_member(name):
                    problems.append(BundleProblem(name, "path escapes the package"))
                    continue
                fh = tar.extractfile(m)
                files[name] = fh.read() if fh else b""
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ExportError(f"{path}: not a readable package directory or .tar.gz ({exc})") from None
    return files, problems


def verify_bundle(path: Path) -> tuple[list[BundleProblem], dict[str, Any]]:
    """Every problem found (empty: the package verifies) and its manifest (when readable)."""
    files, problems = read_package(path)
    problems += verify_package(files.get, list(files))
    manifest: dict[str, Any] = {"_redacted": unverifiable(files.get)}
    try:
        manifest = {**json.loads(files.get(MANIFEST, b"{}")), **manifest}
        manifest["_sha256"] = sha256_hex(files.get(MANIFEST, b""))
    except ValueError:
        pass
    return problems, manifest
