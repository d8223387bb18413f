"""Where a review's reports go and what its files are called: ``reports/<plan id>/<folder name>``
(:func:`review_folder`), the folder's name (:func:`report_folder_name`), the Word document's and
the PDF's (:func:`review_file_name`)."""

from __future__ import annotations

from pathlib import Path

from ..params import ReviewParameters, validate  # noqa: F401 - validate: the examples
from ..paths import ROOT

__all__ = ["report_folder_name", "review_file_name", "review_folder"]


def report_folder_name(params: ReviewParameters) -> str:
    """``2023`` for the plan's own review; other methods, languages and regions get a suffix.
    The folder is ``reports/<plan id>/<this name>``; the region goes through
    :func:`~plananalysis.files.safe_name` (a name, never a path).

    >>> report_folder_name(validate(as_of=2025, method="eurostat", lang="en"))
    '2025-eurostat-en'
    """
    from ..files import safe_name

    name = str(params.as_of)
    if params.method != "cn-schedule":
        name += f"-{params.method}"
    if params.lang != "zh":
        name += f"-{params.lang}"
    if params.region != params.info.region:
        name += f"-{safe_name(params.region, 'region')}"
    return name


def review_file_name(params: ReviewParameters, suffix: str = ".docx") -> str:
    """The file name of the review's Word document (``.docx``) or PDF: the plan's id, the review's
    folder name, ``review`` (a file that travels by mail says what it is).

    >>> params = validate(as_of=2025, lang="en")
    >>> review_file_name(params) == f"{params.plan_id}-2025-en-review.docx", review_file_name(params, ".pdf")[-11:]
    (True, '-review.pdf')
    """
    from ..files import safe_name

    return f"{safe_name(params.plan_id, 'plan')}-{report_folder_name(params)}-review{suffix}"


def review_folder(params: ReviewParameters, reports_dir=None) -> Path:
    """Where one review is written: ``reports/<plan id>/<report_folder_name>``.

    >>> params = validate(as_of=2023)
    >>> review_folder(params, "/tmp/r").as_posix() == f"/tmp/r/{params.plan_id}/2023"
    True
    """
    from ..files import safe_name

    reports = Path(reports_dir) if reports_dir else ROOT / "reports"
    return reports / safe_name(params.plan_id, "plan") / report_folder_name(params)

