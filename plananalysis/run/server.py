"""The apps' web server: Voilà with a front door, a kernel cap and a closed perimeter.

``plananalysis app`` runs ``python -m plananalysis.run.server <notebooks/apps> …`` (see
:func:`plananalysis.run.apps.build_voila_command`).  :class:`PlanVoila` is Voilà's own
application with these changes:

- **its own pages** (:mod:`plananalysis.run.pages`): ``/`` is the front door (the plan, the three
  apps by name, the reviews), ``/scorecard`` the static scorecard drawn once at start-up (no
  kernel: what a meeting room opens), ``/reports/…`` the review reports (HTML, SVG, PNG, PDF,
  XLSX only);
- **only the three apps render** (``/voila/render/{scorecard,explorer,scenarios}.ipynb``); any
  other path, ``/login``, ``/logout`` and bad ``/voila/templates/…`` paths answer a friendly
  404 page, never a 500 with a traceback;
- **kernels are capped** (``--max-kernels``): a viewer who would need a kernel beyond the cap
  gets a polite 请稍候 page (503, ``Retry-After``) that retries by itself; the preheated pools
  are refilled only within the cap; a kernel no page ever connected to (a plain GET, a link
  preview) is shut down after ``--unconnected-timeout`` seconds, one whose page went away after
  ``--disconnected-timeout`` seconds.  Memory is bounded by the cap whatever the request rate;
- **websockets need a matching Origin**: the kernel channel refuses a connection whose
  ``Origin`` is missing or names another host; the preheated kernels' query socket is served on
  a secret path, from the loopback interface only, without an Origin (the kernel itself);
- **security headers on every response** (:class:`SecurityHeaders`): a Content-Security-Policy
  whose ``script-src`` is ``'self'`` plus a per-page nonce that the server adds to Voilà's own
  inline scripts, ``Referrer-Policy``, ``X-Content-Type-Options``, ``X-Frame-Options``, and
  ``SameSite=Lax`` on every cookie;
- **it stops whole**: SIGTERM, SIGINT and SIGHUP stop the server and its kernels; its runtime
  folder is removed at exit.

>>> policy = content_security_policy("abc")
>>> "script-src 'self' 'nonce-abc'" in policy, "object-src 'none'" in policy
(True, True)
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import tornado.web
from traitlets import Float, Integer, List, Unicode

from . import pages
from .processes import descendants, end_processes, watch_parent

__all__ = ["SecurityHeaders", "content_security_policy", "same_origin", "lax_cookies", "main", "APP_NOTEBOOKS"]

APP_NOTEBOOKS = ("scorecard.ipynb", "explorer.ipynb", "scenarios.ipynb")
#: what ``/reports/`` serves, and as what (whatever the machine's MIME table says)
REPORT_TYPES = {
    ".html": "text/html; charset=UTF-8", ".css": "text/css; charset=UTF-8", ".svg": "image/svg+xml",
    ".png": "image/png", ".pdf": "application/pdf", ".csv": "text/csv; charset=UTF-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
REPORT_SUFFIXES = set(REPORT_TYPES)
#: request headers beyond this many bytes get 431 (tornado reads up to MAX_HEADER_READ; beyond it,
#: it closes the connection without an answer)
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADER_READ = 1024 * 1024
_KERNEL_ID = r"(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)"


def content_security_policy(nonce: str | None = None) -> str:
    """The ``Content-Security-Policy`` of every response; ``nonce`` admits the inline scripts
    of one rendered app page (the server adds it to Voilà's own ``<script>`` tags).

    >>> content_security_policy().split("; ")[:2]
    ["default-src 'self'", "script-src 'self'"]
    """
    script = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join([
        "default-src 'self'", f"script-src {script}", "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'",
        "object-src 'none'", "base-uri 'self'", "frame-ancestors 'self'", "form-action 'self'"])


def lax_cookies() -> None:
    """Make ``SameSite=Lax`` the default of every cookie this process's tornado handlers set
    (tornado adds cookies after the output transforms have run, so :class:`SecurityHeaders`
    cannot see them).

    >>> lax_cookies()
    >>> tornado.web.RequestHandler.set_cookie.__name__
    'set_cookie_lax'
    """
    original = tornado.web.RequestHandler.set_cookie
    if original.__name__ == "set_cookie_lax":
        return

    def set_cookie_lax(self, name, value, *args, samesite=None, **kwargs):
        return original(self, name, value, *args, samesite=samesite or "Lax", **kwargs)

    tornado.web.RequestHandler.set_cookie = set_cookie_lax


class SecurityHeaders(tornado.web.OutputTransform):
    """A tornado output transform: the security headers on every response of the server, error
    pages and websocket handshakes included (and ``SameSite=Lax`` on a cookie set as a header;
    see :func:`lax_cookies` for the others).

    >>> from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
    >>> headers = HTTPHeaders({"Set-Cookie": "a=1; Path=/"})
    >>> request = HTTPServerRequest(start_line=RequestStartLine("GET", "/", "HTTP/1.1"),
    ...                             headers=HTTPHeaders({"Host": "127.0.0.1"}))
    >>> _ = SecurityHeaders(request).transform_first_chunk(200, headers, b"", True)
    >>> headers["Referrer-Policy"], headers.get_list("Set-Cookie")
    ('same-origin', ['a=1; Path=/; SameSite=Lax'])
    """

    def __init__(self, request):
        super().__init__(request)
        self.request = request

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        headers["Content-Security-Policy"] = content_security_policy(getattr(self.request, "pa_nonce", None))
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "SAMEORIGIN"
        cookies = headers.get_list("Set-Cookie")
        if cookies:
            del headers["Set-Cookie"]
            for cookie in cookies:
                if "samesite=" not in cookie.lower():
                    cookie += "; SameSite=Lax"
                headers.add("Set-Cookie", cookie)
        if "Server" in headers:
            del headers["Server"]
        return status_code, headers, chunk


def same_origin(request, allowed=()) -> bool:
    """Whether a websocket request's ``Origin`` names the host it was sent to (or one of
    ``allowed``); a request without an Origin (not from a browser page) is refused.

    >>> from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
    >>> def request(**headers):
    ...     return HTTPServerRequest(start_line=RequestStartLine("GET", "/", "HTTP/1.1"),
    ...                              headers=HTTPHeaders({"Host": "127.0.0.1:8866", **headers}))
    >>> same_origin(request(Origin="http://127.0.0.1:8866")), same_origin(request(Origin="http://evil.example"))
    (True, False)
    >>> same_origin(request())
    False
    """
    origin = request.headers.get("Origin")
    host = request.headers.get("Host")
    if not origin or not host:
        return False
    origin = origin.strip().lower()
    if origin in {a.strip().lower().rstrip("/") for a in allowed}:
        return True
    return urlparse(origin).netloc == host.strip().lower()


# ------------------------------------------------------------------ handlers


class _Friendly:
    """Error pages without a traceback: 404 is the not-found page, anything else a short page."""

    def write_error(self, status_code: int, **kwargs) -> None:
        lang = "en" if self.get_query_argument("lang", "zh") == "en" else "zh"
        self.clear_header("Content-Type")
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        base = self.settings.get("base_url", "/")
        if status_code == 404:
            self.finish(pages.not_found_html(lang, base))
        else:
            self.finish(pages.not_found_html(lang, base).replace(
                pages._t("not_found", lang), f"{status_code} · {'出错了' if lang == 'zh' else 'Something went wrong'}"))


class NotFoundHandler(_Friendly, tornado.web.RequestHandler):
    """Every path the server does not have: the friendly 404 page (any method)."""

    def prepare(self):
        raise tornado.web.HTTPError(404)

    def check_xsrf_cookie(self):  # a POST to an unknown path is a 404, not a 403
        pass


class FrontDoorHandler(_Friendly, tornado.web.RequestHandler):
    """``/``: the plan, the three apps by name, the reviews present."""

    def initialize(self, info: dict, reports_dir: str):
        self.info, self.reports_dir = info, reports_dir

    def get(self):
        lang = self.get_query_argument("lang", "zh")
        reviews = pages.list_reviews(self.reports_dir, self.info.get("plan_id", "")) if self.reports_dir else []
        index = bool(self.reports_dir) and (Path(self.reports_dir) / "index.html").is_file()
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(pages.front_door_html(self.info, reviews, lang, self.settings.get("base_url", "/"), index))


class StaticScorecardHandler(_Friendly, tornado.web.RequestHandler):
    """``/scorecard``: the scorecard drawn at start-up, served without a kernel."""

    def initialize(self, info: dict, pages_dir: str, renderer):
        self.info, self.pages_dir, self.renderer = info, Path(pages_dir), renderer

    def get(self):
        lang = "en" if self.get_query_argument("lang", "zh") == "en" else "zh"
        base = self.settings.get("base_url", "/")
        try:
            choices = json.loads((self.pages_dir / "options.json").read_text(encoding="utf-8"))
            options = choices[lang]
        except (OSError, ValueError, KeyError):
            choices, options = {}, None
        # no as_of asked: the latest review due, the one the interactive scorecard opens on
        default = pages.default_as_of(choices, lang)
        as_of_text = self.get_query_argument("as_of", "")
        as_of = int(as_of_text) if as_of_text.isdigit() else default
        if options is not None and as_of not in [value for _, value in options]:
            raise tornado.web.HTTPError(404)
        path = pages.scorecard_file(self.pages_dir, lang, as_of)
        if options is None or not path.is_file():
            still_drawing = self.renderer() is None
            self.set_status(503)
            self.set_header("Retry-After", "3")
            self.set_header("Cache-Control", "no-store")
            if still_drawing:
                self.finish(pages.wait_page_html(lang, 3, base, rendering=True))
            else:  # the drawing failed (see the server log): the interactive scorecard still works
                self.redirect(f"{base}voila/render/scorecard.ipynb?lang={lang}", status=303)
            return
        written = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(pages.scorecard_page_html(self.info, path.read_text(encoding="utf-8"), lang, as_of,
                                              [tuple(o) for o in options], written, base))


class ReportsHandler(_Friendly, tornado.web.StaticFileHandler):
    """``/reports/…``: the reviews' HTML (and their images and workbooks), nothing else — no
    notebook, manifest or hidden (temporary) folder."""

    def validate_absolute_path(self, root, absolute_path):
        relative = os.path.relpath(absolute_path, root)
        parts = Path(relative).parts
        if any(p.startswith(".") for p in parts):
            raise tornado.web.HTTPError(404)
        real_root = os.path.realpath(root)
        if os.path.commonpath([real_root, os.path.realpath(absolute_path)]) != real_root:
            raise tornado.web.HTTPError(404)  # a link that leads out of the reports folder
        if os.path.isfile(absolute_path) and Path(absolute_path).suffix.lower() not in REPORT_SUFFIXES:
            raise tornado.web.HTTPError(404)
        try:
            return super().validate_absolute_path(root, absolute_path)
        except tornado.web.HTTPError as error:
            raise tornado.web.HTTPError(404 if error.status_code == 403 else error.status_code)

    def get_content_type(self):
        return REPORT_TYPES.get(Path(self.absolute_path).suffix.lower(), "application/octet-stream")


class HeadersTooLarge(_Friendly, tornado.web.RequestHandler):
    """A request whose headers are larger than :data:`MAX_HEADER_BYTES`: 431, whatever its path."""

    def prepare(self):
        raise tornado.web.HTTPError(431)

    def check_xsrf_cookie(self):
        pass


def header_bytes(request) -> int:
    """The size of a request's start line and headers, as sent (near enough).

    >>> from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
    >>> request = HTTPServerRequest(start_line=RequestStartLine("GET", "/x", "HTTP/1.1"),
    ...                             headers=HTTPHeaders({"Host": "a", "Cookie": "b" * 10}))
    >>> header_bytes(request)
    46
    """
    return len(request.method) + len(request.uri) + len(request.version) + 4 + sum(
        len(name) + len(value) + 4 for name, value in request.headers.get_all())


def limit_headers(app) -> None:
    """Answer requests with headers over :data:`MAX_HEADER_BYTES` with 431 (``app``: a tornado
    Application; its server must read headers up to :data:`MAX_HEADER_READ`)."""
    find_handler = app.find_handler

    def find_handler_limited(request, **kwargs):
        if header_bytes(request) > MAX_HEADER_BYTES:
            return app.get_handler_delegate(request, HeadersTooLarge)
        return find_handler(request, **kwargs)

    app.find_handler = find_handler_limited


def _handler_classes():
    """Subclasses of Voilà's handlers (imported here: voila is heavy)."""
    from voila.request_info_handler import RequestInfoSocketHandler
    from voila.static_file_handler import TemplateStaticFileHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

    class AppHandler(_Friendly, TornadoVoilaHandler):
        """One of the three apps, within the kernel cap; Voilà's inline scripts get the nonce."""

        async def get(self, path=None):
            km = self.kernel_manager
            lang = "en" if self.get_query_argument("lang", "zh") == "en" else "zh"
            reservation = km.admit(path)
            if reservation is False:
                self.set_status(503)
                self.set_header("Retry-After", str(RETRY_SECONDS))
                self.set_header("Cache-Control", "no-store")
                self.finish(pages.wait_page_html(lang, RETRY_SECONDS, self.settings.get("base_url", "/")))
                return
            self.request.pa_nonce = secrets.token_urlsafe(18)
            token = _RESERVATION.set(reservation)
            try:
                await super().get(path)
            finally:
                _RESERVATION.reset(token)
                km.release(reservation)  # the page has been sent: its kernel waits for it to connect

        def write(self, chunk):
            nonce = getattr(self.request, "pa_nonce", None)
            if nonce and isinstance(chunk, str) and "<script" in chunk:
                chunk = chunk.replace("<script", f'<script nonce="{nonce}"')
            return super().write(chunk)

    class KernelChannels(VoilaKernelWebsocketHandler):
        """The kernel websocket: refused without an Origin naming this server."""

        async def get(self, *args, **kwargs):
            if not same_origin(self.request, self.settings.get("pa_allowed_origins", ())):
                self.log.warning("Refused a kernel websocket: Origin %r, Host %r",
                                 self.request.headers.get("Origin"), self.request.headers.get("Host"))
                self.set_status(403)
                self.finish("Forbidden")
                return
            return await super().get(*args, **kwargs)

    class QuerySocket(RequestInfoSocketHandler):
        """The preheated kernels' wait for their viewer's query: the kernel only (loopback, no Origin)."""

        def get(self, *args, **kwargs):
            if self.request.headers.get("Origin") or self.request.remote_ip not in ("127.0.0.1", "::1"):
                self.set_status(403)
                self.finish("Forbidden")
                return None
            return super().get(*args, **kwargs)

    class TemplateFiles(_Friendly, TemplateStaticFileHandler):
        """``/voila/templates/<template>/static/<file>``; any other shape is a 404, not a 500."""

        def parse_url_path(self, path):
            if not template_static_path(path):
                raise tornado.web.HTTPError(404)
            return super().parse_url_path(path)

    return AppHandler, KernelChannels, QuerySocket, TemplateFiles


def template_static_path(path: str) -> bool:
    r"""Whether ``path`` (decoded, after ``/voila/templates/``) has the one shape Voilà's template
    files have, ``<template>/static/<file>``, with no step up, empty or dot segment, backslash
    or NUL anywhere (Voilà's handler asserts on others: a 500 and a traceback in the log).

    >>> template_static_path("lab/static/index.css"), template_static_path("lab/static/../../../../etc/passwd")
    (True, False)
    >>> any(map(template_static_path, ["lab/static//etc/passwd", "lab/static/..\\x", "lab/x/y", "lab/static/"]))
    False
    """
    parts = path.split("/")
    return (len(parts) >= 3 and parts[1] == "static" and "\\" not in path and "\x00" not in path
            and not any(part in ("", ".", "..") for part in parts))


RETRY_SECONDS = 5
_RESERVATION: contextvars.ContextVar = contextvars.ContextVar("plananalysis_kernel_reservation", default=None)


# ------------------------------------------------------------------ the kernel cap


class _Reservation:
    """One viewer's request for an app: whether it holds a slot under the cap (``counted``, until
    its kernel starts: ``used``) and the kernel it got."""

    __slots__ = ("used", "counted", "kernel_id")

    def __init__(self, counted: bool):
        self.used, self.counted, self.kernel_id = False, counted, None


class KernelCap:
    """Mixed into Voilà's kernel manager (before it, see :func:`_capped_factory`): a cap on the
    number of kernels, refills within the cap, and the shutdown of kernels no page connected to."""

    def _pa_state(self):
        if not hasattr(self, "_pa"):
            self._pa = {"reserved": 0, "started": {}, "handed": {}, "connected": set(), "disconnected": {},
                        "short": set(), "tasks": set(), "started_tasks": set()}
        return self._pa

    @property
    def max_kernels(self) -> int:
        return int(getattr(self.parent, "max_kernels", 0) or 0)

    def _pool_tasks(self):
        return [task for pool in getattr(self, "_pools", {}).values() for task in pool]

    def _pooled_ids(self) -> set:
        ids = set()
        for task in self._pool_tasks():
            if task.done() and not task.cancelled() and task.exception() is None:
                ids.add(task.result().get("kernel_id"))
        return ids

    def kernel_count(self) -> int:
        """Kernels running, starting, or promised: a pool refill waiting for its start (also one
        a viewer has already taken from the pool), a viewer admitted to start one.  Each kernel
        is counted once: a start moves it from promised to pending (``_pending_kernels``) without
        yielding to the event loop, and from pending to running (``_kernels``) the same way."""
        state = self._pa_state()
        for key in ("tasks", "started_tasks"):
            state[key] = {task for task in state[key] if not task.done()}
        waiting = len(state["tasks"] - state["started_tasks"])
        return len(self._kernels) + len(getattr(self, "_pending_kernels", {})) + waiting + state["reserved"]

    def admit(self, notebook: str):
        """For a viewer of ``notebook``: a reservation — holding a slot under the cap unless a
        preheated kernel is ready for them — or ``False`` (the cap is reached).  While the page
        is being sent its kernel is not shut down; the time a page has to connect starts when
        it has been sent (:meth:`release`)."""
        state = self._pa_state()
        if self.get_pool_size(notebook) > 0 and self.notebook_data.get(notebook):
            reservation = _Reservation(counted=False)
        elif self.max_kernels and self.kernel_count() >= self.max_kernels:
            return False
        else:
            reservation = _Reservation(counted=True)
            state["reserved"] += 1
        state.setdefault("active", set()).add(reservation)
        return reservation

    def release(self, reservation) -> None:
        state = self._pa_state()
        if reservation.counted and not reservation.used:
            state["reserved"] -= 1
        reservation.used = True
        state.setdefault("active", set()).discard(reservation)
        if reservation.kernel_id in self._kernels:
            state["handed"][reservation.kernel_id] = time.monotonic()

    async def start_kernel(self, *args, **kwargs):
        state = self._pa_state()
        reservation = _RESERVATION.get()
        if reservation is not None and reservation.counted and not reservation.used:
            reservation.used = True  # the viewer's reservation becomes this start
            state["reserved"] -= 1
        elif self.max_kernels and self.kernel_count() >= self.max_kernels:
            raise tornado.web.HTTPError(503, "kernel cap reached")
        kernel_id = await super().start_kernel(*args, **kwargs)
        state["started"][kernel_id] = time.monotonic()
        if reservation is not None:
            reservation.kernel_id = kernel_id
        return kernel_id

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        if self._pa_state().get("stopping"):
            return None
        config = self.kernel_pools_config.get(notebook_name, self.kernel_pools_config.get("default", {}))
        missing = int(config.get("pool_size", 0)) - len(self._pools.get(notebook_name, []))
        state = self._pa_state()
        if missing <= 0:
            state["short"].discard(notebook_name)
            return None
        if self.max_kernels and self.kernel_count() + missing > self.max_kernels:
            state["short"].add(notebook_name)  # refilled when a kernel is shut down
            return None
        state["short"].discard(notebook_name)
        result = super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kwargs)
        state["tasks"].update(task for task in self._pool_tasks() if not task.done())
        return result

    async def get_rendered_notebook(self, *args, **kwargs):
        result = await super().get_rendered_notebook(*args, **kwargs)
        self._pa_state()["handed"][result[2]] = time.monotonic()
        reservation = _RESERVATION.get()
        if reservation is not None:
            reservation.kernel_id = result[2]
        return result

    def notify_connect(self, kernel_id):
        state = self._pa_state()
        state["connected"].add(kernel_id)
        state["disconnected"].pop(kernel_id, None)
        return super().notify_connect(kernel_id)

    def notify_disconnect(self, kernel_id):
        result = super().notify_disconnect(kernel_id)
        if not self._kernel_connections.get(kernel_id, 0):
            self._pa_state()["disconnected"][kernel_id] = time.monotonic()
        return result

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        try:
            return await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            state = self._pa_state()
            for key in ("started", "handed", "disconnected"):
                state[key].pop(kernel_id, None)
            state["connected"].discard(kernel_id)
            self._refill()

    def _refill(self) -> None:
        if self._pa_state().get("stopping"):
            return
        for notebook in list(self._pa_state()["short"]):
            self.fill_if_needed(delay=0, notebook_name=notebook)

    async def cull_unused(self) -> list[str]:
        """Shut down the kernels no page connected to within ``unconnected_timeout`` seconds of
        being handed out, and those whose page left ``disconnected_timeout`` seconds ago."""
        state, now = self._pa_state(), time.monotonic()
        unconnected = float(getattr(self.parent, "unconnected_timeout", 0) or 0)
        disconnected = float(getattr(self.parent, "disconnected_timeout", 0) or 0)
        pooled, culled = self._pooled_ids(), []
        sending = {r.kernel_id for r in state.get("active", ())}  # pages still being sent
        for kernel_id in list(self._kernels):
            if kernel_id in pooled or kernel_id in sending or self._kernel_connections.get(kernel_id, 0):
                continue
            if kernel_id in state["connected"]:
                since, limit = state["disconnected"].get(kernel_id), disconnected
            else:
                since = state["handed"].get(kernel_id) or state["started"].get(kernel_id)
                limit = unconnected
            if since is not None and limit > 0 and now - since > limit:
                self.log.info("Shutting down kernel %s: %s for %.0f s", kernel_id,
                              "its page left" if kernel_id in state["connected"] else "no page connected",
                              now - since)
                culled.append(kernel_id)
                try:
                    await self.shutdown_kernel(kernel_id)
                except Exception:  # noqa: BLE001 - already gone
                    self.log.debug("kernel %s was already gone", kernel_id)
        self._refill()
        return culled


def _stopping_guard():
    """The kernel manager Voilà's pool manager is built on: no kernel starts once the server is
    stopping (a pool refill would otherwise start one after the others were shut down)."""
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    class GuardedKernelManager(AsyncMappingKernelManager):
        async def start_kernel(self, *args, **kwargs):
            state = getattr(self, "_pa", {})
            if state.get("stopping"):
                raise RuntimeError("the server is stopping: no new kernel")
            task = asyncio.current_task()
            if task in state.get("tasks", ()):  # a pool refill reaching its start: counted as pending now
                state["started_tasks"].add(task)
            return await super().start_kernel(*args, **kwargs)

    return GuardedKernelManager


def _capped_factory(original):
    def factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        voila_class = original(base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook)
        return type("CappedVoilaKernelManager", (KernelCap, voila_class), {})

    return factory


# ------------------------------------------------------------------ the application


def _voila_class():
    import voila.app as voila_app

    if not getattr(voila_app.voila_kernel_manager_factory, "_pa_capped", False):
        factory = _capped_factory(voila_app.voila_kernel_manager_factory)
        factory._pa_capped = True
        voila_app.voila_kernel_manager_factory = factory
    return voila_app.Voila


def _make_app_class():
    Voila = _voila_class()

    class PlanVoila(Voila):
        """Voilà serving the plan's three apps (see the module's documentation)."""

        max_kernels = Integer(12, config=True, help="most kernels at once (0: no cap)")
        unconnected_timeout = Float(60, config=True, help="seconds a kernel may wait for its page")
        disconnected_timeout = Float(120, config=True, help="seconds a kernel outlives its page")
        cap_interval = Float(5, config=True, help="how often unused kernels are looked for")
        runtime_dir = Unicode("", config=True, help="the private folder written by plananalysis app")
        reports_dir = Unicode("", config=True, help="the reviews' folder, served under /reports/")
        plan_file = Unicode("", config=True, help="plan.json: title, period, region")
        allowed_origins = List(Unicode(), config=True, help="other Origins allowed on websockets")

        def initialize(self, argv=None):
            lax_cookies()
            super().initialize(argv)
            self.voila_configuration.multi_kernel_manager_class = _stopping_guard()
            signal.signal(signal.SIGHUP, self._handle_signal_stop)
            watch_parent(on_exit=lambda: os.kill(os.getpid(), signal.SIGTERM), exit=False)
            self.query_secret = secrets.token_hex(16)
            # preheated kernels fetch their viewer's query string on a path only they know
            for name, config in self.config.VoilaKernelManager.get("kernel_pools_config", {}).items():
                config.setdefault("kernel_env_variables", {})["VOILA_WS_BASE_URL"] = f"{self.server_url or self.base_url}{self.query_secret}/"
            if self.runtime_dir:
                self.connection_dir_root = self.runtime_dir

        def init_settings(self):
            settings = super().init_settings()
            settings["transforms"] = [SecurityHeaders]
            settings["default_handler_class"] = NotFoundHandler
            settings["pa_allowed_origins"] = tuple(self.allowed_origins)
            settings["xsrf_cookie_kwargs"] = {"samesite": "Lax"}
            return settings

        def init_handlers(self):
            from jupyter_server.utils import url_path_join

            AppHandler, KernelChannels, QuerySocket, TemplateFiles = _handler_classes()
            base = self.server_url
            info = self._plan_info()
            self.pages_dir = str(Path(self.runtime_dir or self.connection_dir) / "pages")
            ours = [
                (base, FrontDoorHandler, {"info": info, "reports_dir": self.reports_dir}),
                (url_path_join(base, "scorecard"), StaticScorecardHandler,
                 {"info": info, "pages_dir": self.pages_dir, "renderer": self._renderer_status}),
            ]
            if self.reports_dir:
                ours.append((url_path_join(base, r"reports/(.*)"), ReportsHandler,
                             {"path": self.reports_dir, "default_filename": "index.html"}))
            apps = "|".join(name.replace(".", r"\.") for name in APP_NOTEBOOKS)
            kept = []
            for spec in super().init_handlers():
                pattern, handler = spec[0], spec[1]
                name = handler.__name__
                if name in ("TornadoVoilaTreeHandler", "LoginHandler", "LogoutHandler", "VoilaLoginHandler"):
                    continue  # the front door replaces the file list; there is no login
                if name == "TornadoVoilaHandler":
                    kept.append((url_path_join(base, rf"voila/render/({apps})"), AppHandler, *spec[2:]))
                elif name == "VoilaKernelWebsocketHandler":
                    kept.append((pattern, KernelChannels, *spec[2:]))
                elif name == "RequestInfoSocketHandler":
                    kept.append((url_path_join(base, self.query_secret, rf"voila/query/{_KERNEL_ID}"), QuerySocket))
                elif name == "TemplateStaticFileHandler":
                    kept.append((pattern, TemplateFiles, *spec[2:]))
                elif pattern.rstrip("/").endswith(("/login", "/logout")):
                    continue
                else:
                    kept.append(spec)
            return ours + kept + [(r".*", NotFoundHandler)]

        def _plan_info(self) -> dict:
            try:
                return json.loads(Path(self.plan_file).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                plan = os.environ.get("PLANANALYSIS_PLAN", "")
                return {"plan_id": plan, "title_zh": plan, "title_en": plan, "period": "", "region": ""}

        def _renderer_status(self):
            process = getattr(self, "_pages_process", None)
            return None if process is None else process.poll()

        def listen(self):
            import tornado.ioloop

            # the static scorecard is drawn in a child process (pandas, charts: not in the server),
            # reaped by a thread as soon as it ends (no zombie in the server's tree)
            self._pages_process = subprocess.Popen(
                [sys.executable, "-m", "plananalysis.run.pages", self.pages_dir], stdin=subprocess.DEVNULL)
            threading.Thread(target=self._pages_process.wait, name="plananalysis-pages-reaper", daemon=True).start()
            km = self.kernel_manager
            if hasattr(km, "cull_unused"):
                tornado.ioloop.PeriodicCallback(km.cull_unused, self.cap_interval * 1000).start()
            # headers up to MAX_HEADER_READ are read, those over MAX_HEADER_BYTES answered with 431
            limit_headers(self.app)
            self.app.listen = functools.partial(self.app.listen, max_header_size=MAX_HEADER_READ)
            super().listen()

        def stop(self):
            if hasattr(self.kernel_manager, "_pa_state"):
                self.kernel_manager._pa_state()["stopping"] = True  # no pool refill while stopping
            process = getattr(self, "_pages_process", None)
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
            try:
                super().stop()
            except Exception as error:  # noqa: BLE001 - a kernel that went away as it was shut down
                self.log.warning("While stopping: %s", error)
            finally:
                # whatever is left of this server's children (a kernel caught starting) ends now
                end_processes(descendants(os.getpid()), timeout=3)
                if self.runtime_dir:
                    shutil.rmtree(self.runtime_dir, ignore_errors=True)

    return PlanVoila


def __getattr__(name):  # PlanVoila is built on first use: importing voila costs ~1 s
    if name == "PlanVoila":
        return _make_app_class()
    raise AttributeError(name)


def main() -> None:
    """Run the server (``python -m plananalysis.run.server <notebooks/apps> --Voila.port=…``).

    >>> callable(main)
    True
    """
    _make_app_class().launch_instance()


if __name__ == "__main__":
    main()
