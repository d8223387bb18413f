"""The ``plananalysis`` command.

    plananalysis summary [--plan ID]      the plan at a glance (chapters, indicators)
    plananalysis check [--plan ID]        run the declared data checks
    plananalysis review [--as-of 2023]    run the review notebooks into reports/
    plananalysis data import FILE         bring your own observed data (see --help)
    plananalysis app                      serve the Voilà apps
    plananalysis lab                      JupyterLab for analysts

Errors in the data or parameters print one line and exit with status 2 (no traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import PlanAnalysisError

# Optional subcommands live in their own modules, each with register(subparsers).
_SUBCOMMAND_MODULES = ("plananalysis.run.data", "plananalysis.run.review", "plananalysis.run.apps",
                       "plananalysis.run.plan_cli")


def _summary(args) -> int:
    from ..plan.folder import load_plan

    print(load_plan(args.plan).summary(lang=args.lang))
    return 0


def _check(args) -> int:
    """Every file of the plan folder, its observed data and one run of the engine."""
    from ..context import review_context

    review = review_context(plan=args.plan)
    plan = review.plan
    observed, verdicts, progress = review.observed, review.verdicts, review.progress
    unassessable = progress[progress["status_id"] == "not_assessable"]
    print(f"数据检查通过 (data checks passed): {plan.folder}\n"
          f"  {plan.title}（{plan.region}，{plan.info.start}—{plan.info.end}年）\n"
          f"  主要指标 {len(plan.indicators)} 项，上期规划指标 {len(plan.previous_indicators)} 项，"
          f"章节 {len(plan.chapters)} 章，章节目标 {len(plan.targets)} 项，地区 {len(plan.regions)} 个\n"
          f"  观测值 {len(observed)} 条，分析判断 {len(verdicts)} 条；{review.params.as_of}年评估："
          f"{len(progress) - len(unassessable)} 项可评估"
          + (f"，{len(unassessable)} 项无法评估（{'、'.join(unassessable['name_zh'])}）" if len(unassessable) else ""))
    for warning in plan.warnings:   # read but not used: said, never silent
        print(f"  {warning}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plananalysis", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, handler, help_text in (("summary", _summary, "print the plan summary"),
                                     ("check", _check, "run the data checks")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--plan", default=None, help="plan id or folder (default: data/settings.yml's default_plan)")
        p.add_argument("--lang", default="zh", choices=["zh", "en"])
        p.set_defaults(handler=handler)
    for module_name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command (``argv``: the arguments; ``None``: this process's command line, and then,
    under ``make app`` or ``make review``, the command ends as make does, whatever its signal)."""
    if argv is None:
        from .processes import watch_make

        watch_make()
    args = build_parser().parse_args(argv)
    try:
        status = int(args.handler(args) or 0)
        sys.stdout.flush()   # a closed pipe shows here, not in Python's exit
        return status
    except (PlanAnalysisError, FileNotFoundError) as exc:
        print(f"plananalysis: 错误 (error): {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("plananalysis: 已中断 (interrupted)", file=sys.stderr)
        return 130
    except BrokenPipeError:   # `plananalysis data list | head`: the reader has gone, which is fine
        return _reader_gone()
    except Exception as exc:  # noqa: BLE001 — a bug: one line for the user, the traceback on request
        import os

        if os.environ.get("PLANANALYSIS_DEBUG"):
            raise
        print(f"plananalysis: 内部错误 (internal error): {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
              "— 设置 PLANANALYSIS_DEBUG=1 可见详细信息 (set PLANANALYSIS_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


def _reader_gone() -> int:
    """The output's reader closed the pipe (``| head``): stop quietly, as a command killed by
    SIGPIPE would, with status 141; what is left in the buffer goes nowhere, so Python's exit
    does not report a second broken pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):   # stdout is not a file (a test's capture): nothing to flush
        pass
    return 141


if __name__ == "__main__":
    sys.exit(main())
