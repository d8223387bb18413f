"""The manifest of a review (``manifest.json`` in its report folder): what each notebook's inputs
were when it last ran, so that a re-run executes only the notebooks whose inputs changed.

This module imports only the standard library at the top, so the warm path is quick.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..params import ReviewParameters
from ..paths import ROOT, data_dir

__all__ = ["MANIFEST", "job_digest", "shared_inputs_digest"]

NOTEBOOKS = ROOT / "notebooks"
PACKAGE = Path(__file__).resolve().parents[1]
MANIFEST = "manifest.json"


def _digest_files(paths) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def shared_inputs_digest(params: ReviewParameters) -> str:
    """One hash of everything every notebook reads: the plan folder (with its observed data),
    the method tables, the package's code."""
    data = data_dir()
    folders = [Path(params.plan), data / "methods", data / "glossary", PACKAGE]
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and "backups" not in p.parts
             and not p.name.startswith(".")]
    if params.observed_path:
        observed = Path(params.observed_path)
        files += [observed] if observed.is_file() else [
            p for p in observed.rglob("*") if p.is_file() and "backups" not in p.parts]
    h = hashlib.sha256(_digest_files([p for p in files if _under_root(p)]).encode())
    for p in files:
        if not _under_root(p):  # data outside the project (an analyst's folder)
            h.update(str(p).encode() + p.read_bytes())
    return h.hexdigest()


def _under_root(path: Path) -> bool:
    try:
        path.resolve().relative_to(ROOT)
        return True
    except ValueError:
        return False


def job_digest(job, shared: str, notebooks: Path = NOTEBOOKS) -> str:
    h = hashlib.sha256(shared.encode())
    h.update((notebooks / job.notebook).read_bytes())
    h.update(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def _read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
