"""The apps' kernel: ipykernel, with errors kept for the operator.

``plananalysis app`` gives Voilà a kernel spec named ``python3`` (in its private runtime folder,
first on ``JUPYTER_PATH``) that runs ``python -m plananalysis.run.kernel -f <connection file>``
instead of ``ipykernel_launcher``.  The kernel is the same ipykernel, with three changes made
before it starts:

- **a traceback never goes to the viewer.**  ipywidgets shows an exception raised while it
  handles a message from the page (a malformed ``comm_msg``, a failing callback) with
  ``showtraceback``, which sends the whole traceback, with the server's paths, to every page
  connected to the kernel.  Here ``showtraceback`` writes the traceback to the operator's log
  (the kernel's stderr, the terminal of ``plananalysis app``) and sends the page one line
  without a path (:func:`viewer_error`);
- **log records and warnings go to the operator**, not to the page: the ``Comm`` logger's
  "No such comm" and Python warnings were sent to the viewer as stderr output;
- **output written at the file-descriptor level is not forwarded to the page**
  (``IPKernelApp.capture_fd_output=False``), so the operator's log stays the operator's.

A kernel whose parent (Voilà) dies exits by itself: jupyter_client starts kernels with
``JPY_PARENT_PID`` and ipykernel polls it (``ParentPollerUnix``).

>>> viewer_error()["evalue"]
'出错了，已记录供管理员查看。 (Something went wrong; it has been logged for the administrator.)'
"""

from __future__ import annotations

import logging
import sys

__all__ = ["viewer_error", "configure_operator_log", "main"]

#: what a viewer is told when something fails inside the kernel (both languages: the kernel
#: does not know the page's language)
VIEWER_MESSAGE = "出错了，已记录供管理员查看。 (Something went wrong; it has been logged for the administrator.)"
LOG = logging.getLogger("plananalysis.kernel")


def viewer_error() -> dict:
    """The content of the ``error`` message a page receives instead of a traceback.

    >>> sorted(viewer_error())
    ['ename', 'evalue', 'traceback']
    >>> viewer_error()["traceback"]
    []
    """
    return {"ename": "Error", "evalue": VIEWER_MESSAGE, "traceback": []}


def configure_operator_log(stream=None) -> logging.Handler:
    """Send every log record (and Python warnings) to ``stream`` (default: the process's real
    stderr, ``sys.__stderr__``, which is the operator's terminal); return the handler.

    >>> import io
    >>> out = io.StringIO()
    >>> handler = configure_operator_log(out)
    >>> logging.getLogger("Comm").warning("No such comm: %s", "x")
    >>> "No such comm: x" in out.getvalue()
    True
    >>> logging.getLogger().removeHandler(handler)
    """
    handler = logging.StreamHandler(stream or sys.__stderr__)
    handler.setFormatter(logging.Formatter("[plananalysis kernel] %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return handler


def _private_showtraceback(shell):
    """Replace ``shell.showtraceback``: the traceback to the operator's log, one line to the page."""
    original = shell._showtraceback

    def showtraceback(exc_tuple=None, *args, **kwargs):
        try:
            etype, value, tb = exc_tuple if exc_tuple is not None else sys.exc_info()
        except (TypeError, ValueError):
            etype, value, tb = sys.exc_info()
        if etype is None:
            etype, value, tb = sys.last_type, sys.last_value, sys.last_traceback  # type: ignore[attr-defined]
        LOG.error("an error in the app (the viewer was shown one line):", exc_info=(etype, value, tb))
        error = viewer_error()
        original(type(error["ename"], (Exception,), {}), error["evalue"], error["traceback"])

    shell.showtraceback = showtraceback


def main(argv: list[str] | None = None) -> None:
    """Start the kernel (``python -m plananalysis.run.kernel -f <connection file>``).

    >>> callable(main)
    True
    """
    import signal

    # as ipykernel itself does once started: an interrupt is for a running cell, not for start-up
    # (jupyter_client interrupts a kernel before shutting it down, even one still importing)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from ipykernel.kernelapp import IPKernelApp

    configure_operator_log()
    app = IPKernelApp.instance()
    args = list(sys.argv[1:] if argv is None else argv)
    app.initialize(["--IPKernelApp.capture_fd_output=False", *args])
    _private_showtraceback(app.shell)
    app.start()


if __name__ == "__main__":
    main()
