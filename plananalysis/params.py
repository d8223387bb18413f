"""Parameters of the review notebooks and commands, validated in one place.

papermill checks neither the names nor the types of the parameters it injects, so every
notebook's first cell after its parameters calls :func:`validate`; the review runner calls
it too, before it runs anything.  A bad value raises :class:`ReviewParameterError`, which a
notebook shows as one line at the top of the report instead of a traceback.

>>> validate(as_of=2023).phase
'midterm'
>>> validate(as_of="2025", lang="en").phase
'final'
>>> validate(as_of=2031)
Traceback (most recent call last):
...
plananalysis.params.ReviewParameterError: 参数 as_of = 2031 不符合要求：应为 2021–2025 之间的年份（规划期） (parameter as_of = 2031: expected a year within the plan, 2021–2025)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ParameterError

__all__ = ["ReviewParameters", "ReviewParameterError", "validate", "METHOD_NAMES", "LANGUAGES"]

# The progress methods, by name (plananalysis.engine.methods.METHODS holds the same tuple; kept here
# as data so validation does not import pandas).
METHOD_NAMES = ("cn-schedule", "eurostat", "open-sdg", "sdsn")
LANGUAGES = ("zh", "en")
_KNOWN = {"as_of", "chapter", "method", "lang", "region", "observed_path", "plan_id"}


class ReviewParameterError(ParameterError):
    """A parameter outside what the plan allows; shown as one line in notebooks.

    >>> try:
    ...     validate(method="fastest")
    ... except ReviewParameterError as error:
    ...     print(error.name, error.value)
    method fastest
    """

    def __init__(self, name: str, value, expected_zh: str, expected_en: str):
        self.name, self.value = name, value
        super().__init__(f"参数 {name} = {value!r} 不符合要求：应为 {expected_zh} "
                         f"(parameter {name} = {value!r}: expected {expected_en})")

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"\x1b[31m{self.args[0]}\x1b[0m"]


@dataclass(frozen=True)
class ReviewParameters:
    """Validated parameters of one review run or notebook.

    >>> params = ReviewParameters(as_of=2025, chapter=9)
    >>> params.phase, params.as_dict()["method"]
    ('final', 'cn-schedule')
    """

    as_of: int = 2023
    chapter: int | None = None
    method: str = "cn-schedule"
    lang: str = "zh"
    region: str = "浙江省"
    observed_path: str = ""
    plan_id: str = "zj-social-14th"

    @property
    def phase(self) -> str:
        """``final`` from the plan's target year on, else ``midterm``."""
        return "final" if self.as_of >= 2025 else "midterm"

    def as_dict(self) -> dict:
        return asdict(self)


def validate(as_of=2023, chapter=None, method="cn-schedule", lang="zh", region="浙江省",
             observed_path="", plan_id="zj-social-14th", *, first_year=2021, last_year=2025,
             chapters=14, **unknown) -> ReviewParameters:
    """Check every parameter; return them typed, or raise :class:`ReviewParameterError`.

    >>> validate(as_of="2024", chapter="第九章", lang="en")
    ReviewParameters(as_of=2024, chapter=9, method='cn-schedule', lang='en', region='浙江省', observed_path='', plan_id='zj-social-14th')
    """
    if unknown:
        name = sorted(unknown)[0]
        raise ReviewParameterError(name, unknown[name], f"已知参数 {'、'.join(sorted(_KNOWN))} 之一",
                                   f"one of the known parameters {', '.join(sorted(_KNOWN))}")
    year = _as_int("as_of", as_of, f"{first_year}–{last_year} 之间的年份（规划期）",
                   f"a year within the plan, {first_year}–{last_year}")
    if not first_year <= year <= last_year:
        raise ReviewParameterError("as_of", as_of, f"{first_year}–{last_year} 之间的年份（规划期）",
                                   f"a year within the plan, {first_year}–{last_year}")
    if chapter not in (None, ""):
        from .plan.folder import chapter_number  # light: no pandas at import of this module

        try:
            chapter = chapter_number(chapter, chapters)
        except ParameterError:
            raise ReviewParameterError("chapter", chapter, f"1–{chapters} 或 一…十四 的章节",
                                       f"a chapter 1–{chapters}") from None
    else:
        chapter = None
    if method not in METHOD_NAMES:
        raise ReviewParameterError("method", method, "、".join(METHOD_NAMES) + " 之一",
                                   "one of " + ", ".join(METHOD_NAMES))
    if lang not in LANGUAGES:
        raise ReviewParameterError("lang", lang, "zh 或 en", "zh or en")
    if not isinstance(region, str) or not region.strip():
        raise ReviewParameterError("region", region, "地区名称，如 浙江省、杭州市", "a region name such as 浙江省")
    if observed_path and not Path(observed_path).exists():
        raise ReviewParameterError("observed_path", observed_path, "存在的文件或文件夹（空 = 随附数据）",
                                   "an existing file or folder (empty = the shipped data)")
    return ReviewParameters(year, chapter, method, lang, region.strip(), str(observed_path or ""), plan_id)


def _as_int(name, value, expected_zh, expected_en) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReviewParameterError(name, value, expected_zh, expected_en) from None
    if not number.is_integer():
        raise ReviewParameterError(name, value, expected_zh, expected_en)
    return int(number)
