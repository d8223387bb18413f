"""The manifest of a review (``manifest.json`` in its report folder): what each notebook's inputs
were when it last ran, so that a re-run executes only the notebooks whose inputs changed.

Each notebook's inputs are what it reads (:mod:`plananalysis.reads`), so a changed value re-runs the
pages that show it and the pages that aggregate it, in the reviews whose year can see it.
This module imports only the standard library at the top, so the warm path is quick.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..params import ReviewParameters
from ..paths import ROOT, data_dir

__all__ = ["MANIFEST", "PageInputs", "explain_lines", "job_digest", "page_inputs", "refresh", "shared_inputs_digest"]

NOTEBOOKS = ROOT / "notebooks"
PACKAGE = Path(__file__).resolve().parents[1]
MANIFEST = "manifest.json"


def _digest_files(paths) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode())
        _hash_file(h, path)
    return h.hexdigest()


def _hash_file(h, path: Path) -> None:
    """Add a file to a hash in chunks; a file beyond the readers' limit
    (:data:`~plananalysis.files.MAX_FILE_BYTES`, refused when it is read) by its size and time alone,
    never read whole into memory."""
    from ..files import MAX_FILE_BYTES

    info = path.stat()
    if info.st_size > MAX_FILE_BYTES:
        h.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
        return
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)


def shared_inputs_digest(params: ReviewParameters) -> str:
    """One hash of every file a review may read: the plan folder (with its observed data), the
    method tables, the package's code — the quick check of the warm path (:func:`job_digest`).

    >>> from plananalysis.params import validate
    >>> len(shared_inputs_digest(validate(as_of=2023)))
    64
    """
    data = data_dir()
    folders = [Path(params.plan), data / "methods", data / "glossary", PACKAGE]
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and "backups" not in p.parts
             and not p.name.startswith(".")]
    if params.observed_path:
        observed = Path(params.observed_path)
        # what load_observed reads of a folder: its own CSV and workbook files (not the folders below)
        files += [observed] if observed.is_file() else [
            p for p in sorted(observed.iterdir()) if p.suffix.lower() in (".csv", ".xlsx") and p.is_file()]
    h = hashlib.sha256(_digest_files([p for p in files if _under_root(p)]).encode())
    for p in files:
        if not _under_root(p):  # data outside the project (an analyst's folder)
            h.update(str(p).encode())
            _hash_file(h, p)
    return h.hexdigest()


def _under_root(path: Path) -> bool:
    try:
        path.resolve().relative_to(ROOT)
        return True
    except ValueError:
        return False


def job_digest(job, shared: str, notebooks: Path = NOTEBOOKS) -> str:
    """One notebook's quick digest: every file (``shared``), its notebook file, its parameters.
    When none changed since the manifest was written, the manifest's digests are reused as they
    are (:func:`page_inputs`).

    >>> from types import SimpleNamespace
    >>> job = SimpleNamespace(notebook="overview.ipynb", parameters={"as_of": 2023})
    >>> job_digest(job, "s") == job_digest(job, "s") != job_digest(job, "t")
    True
    """
    h = hashlib.sha256(shared.encode())
    h.update((notebooks / job.notebook).read_bytes())
    h.update(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def _read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# ---------------------------------------------------------------- what each page reads

#: A page's slices beside its inputs' (see :mod:`plananalysis.reads`): its notebook and parameters.
NOTEBOOK_KEY, PARAMETERS_KEY = "notebook", "parameters"


class PageInputs:
    """What each notebook of one review reads, and the digest of it.

    ``quick``: each notebook's digest over every file (:func:`job_digest`): when none changed
    since the last run, ``digests``, ``reads`` and ``inputs`` are the manifest's, and nothing
    is loaded (the warm path: no pandas, no plan).  Otherwise ``reads`` (notebook → the keys it
    reads, :meth:`plananalysis.context.ReviewContext.chapter_reads` and the others) and
    ``inputs`` (key → digest) come from a light load of the plan and the observed data, and
    ``digests`` (notebook → one digest of its keys, its file and its parameters) from them —
    when first asked for (:meth:`load`): a run of every notebook (``--force``, a first run)
    needs them only for the manifest it writes at the end.

    >>> pages = PageInputs({"chapter-07": "q"}, {"chapter-07": "d2"}, {"chapter-07": ["observed: x 2024"]},
    ...                    {"observed: x 2024": "new"})
    >>> pages.changes("chapter-07", {"reads": {"chapter-07": ["observed: x 2024"]}, "inputs": {"observed: x 2024": "old"}})
    ['observed: x 2024 changed']
    """

    def __init__(self, quick: dict, digests=None, reads=None, inputs=None, *, pending=None):
        self.quick = quick
        self._digests, self._reads, self._inputs = digests, reads, inputs
        self._pending = pending   # (params, jobs, notebooks): what load() reads
        self.error = ""           # why the inputs could not be read (then every notebook runs)

    def load(self) -> "PageInputs":
        """Read the inputs now, if they are still to be read."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._digests, self._reads, self._inputs, self.error = _read_inputs(*pending, self.quick)
        return self

    @property
    def digests(self) -> dict:
        return self.load()._digests

    @property
    def reads(self) -> dict:
        return self.load()._reads

    @property
    def inputs(self) -> dict:
        return self.load()._inputs

    def keep(self, name: str, previous: dict) -> None:
        """Notebook ``name`` is kept from the previous report as it was (``--only``): its
        recorded digests stay the old ones, so a later run still sees it stale."""
        self.quick[name] = previous.get("quick", {}).get(name, "")
        self.digests[name] = previous.get("digests", {}).get(name, "")
        self.reads[name] = previous.get("reads", {}).get(name, [])
        for key in self.reads[name]:
            if key not in self.inputs and key in previous.get("inputs", {}):
                self.inputs[key] = previous["inputs"][key]

    def manifest_fields(self) -> dict:
        return {"quick": self.quick, "digests": self.digests, "reads": self.reads, "inputs": self.inputs}

    def changes(self, name: str, previous: dict) -> list[str]:
        """The keys of notebook ``name`` whose slice changed since ``previous`` (a manifest), in
        words: ``observed: sports_area_per_capita 2024 changed`` (or added, removed)."""
        self.load()
        if self.error:
            return [f"the inputs could not be read: {self.error}"]
        old_inputs, new_inputs = previous.get("inputs", {}), self.inputs
        old_keys, new_keys = set(previous.get("reads", {}).get(name, [])), set(self.reads.get(name, []))
        out = []
        for key in sorted(old_keys | new_keys, key=_key_order):
            if key not in old_keys or key not in old_inputs:
                out.append(f"{key} added")
            elif key not in new_keys:
                out.append(f"{key} removed")
            elif old_inputs[key] != new_inputs.get(key):
                out.append(f"{key} changed")
        return out


def _key_order(key: str) -> tuple:
    """Notebook and parameters first, then the data, then files and code."""
    rank = {"notebook": 0, "parameters": 1, "file": 3, "code": 4}.get(key.split(":")[0].strip(), 2)
    return rank, key


def page_inputs(params: ReviewParameters, jobs: list, notebooks: Path, previous: dict, quick: dict,
                every: bool = False) -> PageInputs:
    """Each notebook's inputs and digests (:class:`PageInputs`): the manifest's own when no file
    changed since it was written (``quick``); read when first asked for when ``every`` notebook
    runs anyway (``--force``, no previous report); read now otherwise.

    >>> from plananalysis.params import validate
    >>> from plananalysis.run.review import review_jobs
    >>> params = validate(as_of=2023)
    >>> pages = page_inputs(params, review_jobs(params), NOTEBOOKS, {}, {})
    >>> "observed: sports_area_per_capita 2023" in pages.reads["chapter-07"], "plan: tasks ch09-s01" in pages.reads["chapter-07"]
    (True, False)
    """
    if not every and previous.get("quick") == quick and all(previous.get(k) for k in ("digests", "reads", "inputs")):
        return PageInputs(quick, dict(previous["digests"]), dict(previous["reads"]), dict(previous["inputs"]))
    pages = PageInputs(dict(quick), pending=(params, jobs, notebooks))
    return pages if every else pages.load()


def _read_inputs(params: ReviewParameters, jobs: list, notebooks: Path, quick: dict) -> tuple:
    """``(digests, reads, inputs, error)`` of :class:`PageInputs`, from a light load of the review
    (:attr:`plananalysis.context.ReviewContext.inputs`) and each page kind's declaration
    (``<notebook>_reads``; a notebook that declares nothing reads everything)."""
    from ..context import review_context
    from ..errors import PlanAnalysisError

    review = review_context(params.replace(chapter=None))
    try:
        slices = review.inputs
    except PlanAnalysisError as error:   # bad data: every notebook runs and shows it, as before
        return dict(quick), {job.name: [] for job in jobs}, {}, \
            f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"
    reads, inputs = {}, {}
    for job in jobs:
        page = review.for_chapter(int(job.parameters["chapter"])) if job.parameters.get("chapter") is not None else review
        declared = getattr(page, f"{Path(job.notebook).stem}_reads", None)
        own = [f"{NOTEBOOK_KEY}: {job.notebook}", f"{PARAMETERS_KEY}: {job.name}"]
        inputs[own[0]] = _sha((notebooks / job.notebook).read_bytes())
        inputs[own[1]] = _sha(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False))
        keys = list(dict.fromkeys(own + (declared() if declared is not None else list(slices.digests))))
        for key in keys:
            if key not in inputs:
                inputs[key] = slices.digests[key]
        reads[job.name] = keys
    digests = {name: _sha("\n".join(f"{k}\t{inputs[k]}" for k in sorted(keys))) for name, keys in reads.items()}
    return digests, reads, inputs, ""


def refresh(folder: Path, previous: dict, shared: str, pages: PageInputs) -> None:
    """A review found up to date although files changed (files no page reads, the runner's own
    code): record the files' new digests in its manifest, so that the next warm run takes the
    quick path again instead of reading the inputs every time.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> previous = {"ok": True, "shared": "s1", "quick": {"overview": "q1"}, "digests": {"overview": "d"},
    ...             "reads": {"overview": ["file: plan.yml"]}, "inputs": {"file: plan.yml": "f"}}
    >>> pages = PageInputs({"overview": "q2"}, {"overview": "d"}, {"overview": ["file: plan.yml"]}, {"file: plan.yml": "f"})
    >>> refresh(folder, previous, "s2", pages)
    >>> written = _read_manifest(folder)
    >>> written["shared"], written["quick"], written["digests"], written["ok"]
    ('s2', {'overview': 'q2'}, {'overview': 'd'}, True)
    >>> page_inputs(None, [], folder, written, {"overview": "q2"}).digests   # the next run: nothing loaded
    {'overview': 'd'}
    """
    if previous.get("shared") == shared and previous.get("quick") == pages.quick:
        return
    from ..files import write_text_atomically

    manifest = {**previous, "shared": shared, **pages.manifest_fields()}
    write_text_atomically(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))


def explain_lines(review: dict, lang: str = "zh") -> list[str]:
    """One review's plan (:func:`plananalysis.run.review.explain_reviews`) as lines of text: per
    notebook whether it re-runs and which inputs made it.

    >>> explain_lines({"label": "p/2025", "up_to_date": False, "pages": [
    ...     {"name": "chapter-07", "runs": True, "why": ["observed: sports_area_per_capita 2024 added"]},
    ...     {"name": "chapter-09", "runs": False, "why": []}]})
    ['p/2025: 2 个笔记本中 1 个重新运行 (1 of 2 notebooks re-run)', '  chapter-07: 重新运行 (re-runs) — observed: sports_area_per_capita 2024 added', '  chapter-09: 不变 (unchanged)', '  scorecard.xlsx, Word, PDF, index.html: 随之重新生成 (rebuilt with the pages)']
    """
    pages = [{**p, "why": [_printable(w) for w in p["why"]]} for p in review["pages"]]
    runs = sum(p["runs"] for p in pages)
    lines = [f"{_printable(review['label'])}: {len(pages)} 个笔记本中 {runs} 个重新运行 ({runs} of {len(pages)} notebooks re-run)"]
    for page in pages:
        if page["runs"]:
            why = page["why"]
            shown = "; ".join(why[:4]) + (f"; … (+{len(why) - 4})" if len(why) > 4 else "")
            lines.append(f"  {page['name']}: 重新运行 (re-runs) — {shown}")
        else:
            lines.append(f"  {page['name']}: 不变 (unchanged)" + (f" — {page['why'][0]}" if page["why"] else ""))
    if runs:
        lines.append("  scorecard.xlsx, Word, PDF, index.html: 随之重新生成 (rebuilt with the pages)")
    return lines


def _printable(text: str) -> str:
    """A key for the terminal: an id or series name from a data file is text, and a control
    character in it (an escape sequence) is shown, never sent.

    >>> print(_printable("context: GDP" + chr(27) + "[2J 2023"))
    context: GDP\\x1b[2J 2023
    """
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(text))


def _sha(data) -> str:
    return hashlib.sha256(data if isinstance(data, bytes) else str(data).encode()).hexdigest()
