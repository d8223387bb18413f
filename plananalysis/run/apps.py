"""Serve the leaders' apps with Voilà (``plananalysis app``) and JupyterLab (``plananalysis lab``).

The apps are the notebooks in ``notebooks/apps/`` (:data:`APPS`); their logic is in
:mod:`plananalysis.widgets`.  :func:`build_voila_command` turns the options into one command
line running :mod:`plananalysis.run.server` (Voilà with the project's front door, kernel cap and
security headers); :func:`write_runtime` writes what that command reads into a private folder
(``voila.json`` with a kernel pool per app, the ``plananalysis`` page template, the apps' kernel
spec, ``plan.json``):

- only ``notebooks/apps`` is served; ``/`` is the front door (the plan, the three apps by name,
  the reviews), ``/scorecard`` the static scorecard (no kernel), ``/reports/`` the reviews;
  ``/voila/files/`` serves no file at all (the allow-list matches nothing);
- sources are stripped; a traceback never reaches a viewer (it goes to the server log);
- kernels are preheated (a pool per app), capped (``--max-kernels``; beyond it a polite wait
  page), and shut down when no page uses them;
- the page template is Voilà's ``lab`` template without its Font Awesome links to
  cdn.jsdelivr.net, so a page fetches nothing from outside the server;
- SIGINT, SIGTERM and SIGHUP stop the server, its kernels and the page renderer; a server whose
  command was killed (SIGKILL) stops by itself (:mod:`plananalysis.run.processes`).

>>> cmd = build_voila_command(port=9000, runtime_dir="/tmp/rt")
>>> cmd[1:4]
['-m', 'plananalysis.run.server', '--no-browser']
>>> "--Voila.port=9000" in cmd and "--Voila.ip=127.0.0.1" in cmd and "--Voila.port_retries=0" in cmd
True
>>> pool_config(2)["scorecard.ipynb"]
{'pool_size': 2}
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ..errors import ParameterError
from .processes import (Stopped, descendants, end_processes, parent_death_signal, private_tmp, reclaim_stale,
                        stop_on_signals)

__all__ = [
    "APPS",
    "APPS_DIR",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_POOL_SIZE",
    "CULL_IDLE_TIMEOUT",
    "DEFAULT_MAX_KERNELS",
    "CULL_INTERVAL",
    "FILL_DELAY",
    "TEMPLATE_NAME",
    "app_url",
    "pool_config",
    "build_voila_command",
    "write_runtime",
    "voila_env",
    "resolve_plan",
    "serve",
    "stop",
    "wait_until_ready",
    "free_port",
    "register",
]

PROJECT_DIR = Path(__file__).resolve().parents[2]
APPS_DIR = PROJECT_DIR / "notebooks" / "apps"
#: notebook stem → (Chinese title, English title)
APPS = {
    "scorecard": ("指标总览", "Scorecard"),
    "explorer": ("指标详情", "Indicator explorer"),
    "scenarios": ("情景推演", "Scenarios"),
}
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8866
DEFAULT_POOL_SIZE = 2        # preheated kernels per app (3 apps × 2 × ~250 MB)
DEFAULT_MAX_KERNELS = 12     # kernels at once, pools included (× ~250–300 MB each)
UNCONNECTED_TIMEOUT = 60     # seconds a kernel handed to a request waits for its page to connect
DISCONNECTED_TIMEOUT = 120   # seconds a kernel outlives the last page connected to it
CULL_IDLE_TIMEOUT = 600      # seconds without activity before a viewer's kernel is shut down
CULL_INTERVAL = 60           # how often the culler looks
RUNTIME_PREFIX = "plananalysis-voila-"
FILL_DELAY = 5               # seconds before a used pool kernel is replaced (see write_runtime)
TEMPLATE_NAME = "plananalysis"
# Voilà's allow-list is matched with re.fullmatch: this pattern matches no path at all.
_NOTHING = r"(?!)"

_TEMPLATE_INDEX = """{%- extends 'lab/index.html.j2' -%}
{#- Voilà's lab template, minus the Font Awesome stylesheets it links from cdn.jsdelivr.net:
    the apps use no icon font, and a page must not fetch anything from outside the server. -#}
{%- block notebook_css -%}
{{ super()
   | replace('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css" type="text/css" />', '')
   | replace('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/v4-shims.min.css" type="text/css" />', '') }}
<style>
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
</style>
{%- endblock notebook_css -%}
"""

# The tree (the list of apps at /) and the error pages extend "page.html"; Voilà's base
# page.html links Font Awesome from cdn.jsdelivr.net outside any block, so the whole page is
# restated here (the lab page's stylesheets, without that link).
_TEMPLATE_PAGE = """<!DOCTYPE HTML>
<html>
  <head>
    <meta charset="utf-8">
    <title>{% block title %}指标应用 · plananalysis{% endblock %}</title>
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    {% block stylesheets %}
    {% if include_css %}
      {{ include_css("static/index.css") }}
      {% if theme == 'dark' %}{{ include_css("static/theme-dark.css") }}
      {% elif theme == 'light' %}{{ include_css("static/theme-light.css") }}
      {% else %}{{ include_lab_theme(theme) }}{% endif %}
    {% endif %}
    {% endblock %}
    {% block meta %}{% endblock %}
  </head>
  <body data-base-url="{{ base_url }}voila/" data-voila="voila">
    <noscript><div id='noscript'>本页需要 JavaScript (this page needs JavaScript).</div></noscript>
    <div>{% block body %}{% endblock %}</div>
    {% block scripts %}{% endblock %}
  </body>
</html>
"""


def app_url(name: str, base: str = "") -> str:
    """The path of one app under a Voilà server.

    >>> app_url("explorer", "http://127.0.0.1:8866")
    'http://127.0.0.1:8866/voila/render/explorer.ipynb'
    """
    if name not in APPS:
        raise ParameterError(f"未知应用 {name!r}，应为 {', '.join(APPS)} (unknown app {name!r})")
    return f"{base}/voila/render/{name}.ipynb"


def pool_config(pool_size: int = DEFAULT_POOL_SIZE, sizes: dict | None = None) -> dict:
    """``VoilaKernelManager.kernel_pools_config``: ``pool_size`` kernels for each app
    (``sizes`` overrides per app), none for anything else.

    >>> pool_config(2, sizes={"scenarios": 1})
    {'default': {'pool_size': 0}, 'scorecard.ipynb': {'pool_size': 2}, 'explorer.ipynb': {'pool_size': 2}, 'scenarios.ipynb': {'pool_size': 1}}
    """
    if pool_size < 0:
        raise ParameterError(f"--pool-size 应为 ≥0 的整数，收到 {pool_size} (pool size must be ≥ 0)")
    config = {"default": {"pool_size": 0}}
    for name in APPS:
        config[f"{name}.ipynb"] = {"pool_size": int((sizes or {}).get(name, pool_size))}
    return config


def write_runtime(runtime_dir: str | os.PathLike, pool_size: int = DEFAULT_POOL_SIZE,
                  cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
                  cull_interval: int = CULL_INTERVAL, *, max_kernels: int = DEFAULT_MAX_KERNELS,
                  unconnected_timeout: float = UNCONNECTED_TIMEOUT,
                  disconnected_timeout: float = DISCONNECTED_TIMEOUT, reports_dir: str | os.PathLike | None = None,
                  plan_info: dict | None = None, allow_origins=()) -> Path:
    """Write ``voila.json``, the page template, the apps' kernel spec and ``plan.json`` into
    ``runtime_dir``; return it.

    The template goes to ``<runtime_dir>/share/voila/templates/plananalysis`` and the kernel spec
    to ``<runtime_dir>/share/kernels/python3`` (it runs :mod:`plananalysis.run.kernel`); the
    server finds both through ``JUPYTER_PATH`` (see :func:`voila_env`).

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> runtime = write_runtime(tmp.name, pool_size=0)
    >>> settings = json.loads((runtime / "voila.json").read_text(encoding="utf-8"))["VoilaConfiguration"]
    >>> settings["strip_sources"], settings["show_tracebacks"], settings["preheat_kernel"]
    (True, False, False)
    >>> sorted(p.name for p in (runtime / "share" / "voila" / "templates" / TEMPLATE_NAME).iterdir())
    ['conf.json', 'index.html.j2', 'page.html']
    >>> json.loads((runtime / "share" / "kernels" / "python3" / "kernel.json").read_text())["argv"][1:3]
    ['-m', 'plananalysis.run.kernel']
    >>> tmp.cleanup()
    """
    if max_kernels and max_kernels <= len(APPS) * pool_size:
        raise ParameterError(f"--max-kernels ({max_kernels}) 应大于预热内核总数 {len(APPS)} × {pool_size} "
                             f"(must exceed the preheated kernels, {len(APPS) * pool_size})")
    runtime = Path(runtime_dir)
    template = runtime / "share" / "voila" / "templates" / TEMPLATE_NAME
    template.mkdir(parents=True, exist_ok=True)
    (template / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    (template / "index.html.j2").write_text(_TEMPLATE_INDEX, encoding="utf-8")
    (template / "page.html").write_text(_TEMPLATE_PAGE, encoding="utf-8")
    kernel = runtime / "share" / "kernels" / "python3"
    kernel.mkdir(parents=True, exist_ok=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "plananalysis.run.kernel", "-f", "{connection_file}"],
        "display_name": "Python 3 (plananalysis apps)", "language": "python",
        "metadata": {"debugger": False}}, indent=1), encoding="utf-8")
    (runtime / "plan.json").write_text(json.dumps(plan_info or {}, ensure_ascii=False), encoding="utf-8")
    config = {
        "VoilaConfiguration": {
            "template": TEMPLATE_NAME,
            "preheat_kernel": pool_size > 0,
            "strip_sources": True,
            "show_tracebacks": False,
            "file_allowlist": [_NOTHING],
            "file_denylist": [r".*"],
            "allow_template_override": "NO",
            "allow_theme_override": "NO",
            "extension_denylist": ["@voila-dashboards/jupyterlab-preview", "anywidget",
                                   "jupyterlab_pygments"],
        },
        # A used kernel is replaced only after FILL_DELAY seconds: starting one takes a
        # core for ~3 s, which on a small server would slow the very page being drawn.
        "VoilaKernelManager": {"kernel_pools_config": pool_config(pool_size),
                               "fill_delay": FILL_DELAY},
        "MappingKernelManager": {"cull_idle_timeout": cull_idle_timeout,
                                 "cull_interval": cull_interval,
                                 # a page left open keeps its kernel; a closed tab's kernel
                                 # (no connection left) goes after disconnected_timeout
                                 "cull_connected": False},
        "PlanVoila": {"max_kernels": int(max_kernels), "unconnected_timeout": float(unconnected_timeout),
                      "disconnected_timeout": float(disconnected_timeout), "runtime_dir": str(runtime),
                      "reports_dir": str(Path(reports_dir).resolve()) if reports_dir else "",
                      "plan_file": str(runtime / "plan.json"), "allowed_origins": list(allow_origins)},
    }
    (runtime / "voila.json").write_text(json.dumps(config, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    return runtime


def voila_env(runtime_dir: str | os.PathLike, base: dict | None = None, plan: str | None = None) -> dict:
    """The environment of the server (and so of its kernels): the runtime folder first on
    ``JUPYTER_PATH``, this project first on ``PYTHONPATH`` (every entry made absolute: the
    server runs in another folder), and the plan in ``PLANANALYSIS_PLAN`` (``None``: the default plan).

    >>> env = voila_env("/tmp/rt", base={"PYTHONPATH": "."}, plan="city-15th")
    >>> env["JUPYTER_PATH"], env["PLANANALYSIS_PLAN"]
    ('/tmp/rt/share', 'city-15th')
    >>> env["PYTHONPATH"].split(os.pathsep) == [str(PROJECT_DIR), os.getcwd()] or str(PROJECT_DIR) == os.getcwd()
    True
    """
    env = dict(os.environ if base is None else base)
    share = str(Path(runtime_dir) / "share")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (share, env.get("JUPYTER_PATH", "")) if p)
    paths = [str(PROJECT_DIR)] + [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    if plan is None:
        from ..plan.info import default_plan_id

        plan = default_plan_id()
    env["PLANANALYSIS_PLAN"] = str(plan)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def resolve_plan(plan: str | os.PathLike | None = None, cwd: str | os.PathLike | None = None) -> str:
    """``--plan``: a folder (relative to ``cwd``, the folder the command runs in) becomes an
    absolute path; anything else is a plan id, kept as given; ``None`` is the default plan's id.

    >>> resolve_plan("city-15th")
    'city-15th'
    >>> resolve_plan(".", cwd="/tmp")
    '/tmp'
    """
    if plan is None:
        from ..plan.info import default_plan_id

        return default_plan_id()
    path = Path(cwd or os.getcwd()) / plan
    return str(path.resolve()) if path.is_dir() else str(plan)


def build_voila_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                        runtime_dir: str | os.PathLike = ".", apps_dir: str | os.PathLike = APPS_DIR,
                        python: str = sys.executable, base_url: str = "/") -> list[str]:
    """The Voilà command line (the rest of the settings are in ``runtime_dir/voila.json``).

    >>> build_voila_command(host="0.0.0.0", port=8900, runtime_dir="/tmp/rt", python="python")[5:9]
    ['--Voila.ip=0.0.0.0', '--Voila.port=8900', '--Voila.port_retries=0', '--Voila.config_file_paths=/tmp/rt']
    >>> build_voila_command(port=8900, runtime_dir="/tmp/rt", base_url="/plan/")[-1]
    '--Voila.base_url=/plan/'
    >>> build_voila_command(port=70000)
    Traceback (most recent call last):
    ...
    plananalysis.errors.ParameterError: 端口应在 1–65535 之间，收到 70000 (port out of range)
    """
    if not 0 < int(port) < 65536:
        raise ParameterError(f"端口应在 1–65535 之间，收到 {port} (port out of range)")
    if not (base_url.startswith("/") and base_url.endswith("/")) or any(c in base_url for c in " \"'<>?#\\"):
        raise ParameterError(f"--base-url 应形如 /plan/，收到 {base_url!r} (a path such as /plan/)")
    extra = [f"--Voila.base_url={base_url}"] if base_url != "/" else []
    return [
        python, "-m", "plananalysis.run.server", "--no-browser",
        str(apps_dir),
        f"--Voila.ip={host}",
        f"--Voila.port={int(port)}",
        "--Voila.port_retries=0",
        f"--Voila.config_file_paths={Path(runtime_dir)}",
        "--Voila.open_browser=False",
        *extra,
    ]


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, pool_size: int = DEFAULT_POOL_SIZE,
          cull_idle_timeout: int = CULL_IDLE_TIMEOUT, cull_interval: int = CULL_INTERVAL, *,
          plan: str | None = None, plan_info: dict | None = None, max_kernels: int = DEFAULT_MAX_KERNELS,
          unconnected_timeout: float = UNCONNECTED_TIMEOUT, disconnected_timeout: float = DISCONNECTED_TIMEOUT,
          reports_dir: str | os.PathLike | None = None, allow_origins=(), base_url: str = "/",
          **popen) -> subprocess.Popen:
    """Start the apps' server in a subprocess; :func:`stop` ends it, its kernels and its
    runtime folder.  The server gets SIGTERM if this process dies (``PR_SET_PDEATHSIG``).

    What it runs (the settings go to a private ``voila.json``, see :func:`write_runtime`):

    >>> port = free_port()
    >>> build_voila_command(port=port)[1:5] == ["-m", "plananalysis.run.server", "--no-browser", str(APPS_DIR)]
    True

    Starting the server takes a few seconds, so it is not run here:

    >>> process = serve(port=port, pool_size=0)  # doctest: +SKIP
    >>> wait_until_ready(process, DEFAULT_HOST, port)  # doctest: +SKIP
    >>> stop(process)  # doctest: +SKIP
    """
    from .pages import plan_info as read_plan_info

    reclaim_stale(RUNTIME_PREFIX)  # folders of servers that were killed before they could clean up
    info = plan_info if plan_info is not None else read_plan_info(plan)
    runtime = private_tmp(RUNTIME_PREFIX)
    try:
        write_runtime(runtime, pool_size, cull_idle_timeout, cull_interval, max_kernels=max_kernels,
                      unconnected_timeout=unconnected_timeout, disconnected_timeout=disconnected_timeout,
                      reports_dir=PROJECT_DIR / "reports" if reports_dir is None else reports_dir,
                      plan_info=info, allow_origins=allow_origins)
        process = subprocess.Popen(build_voila_command(host, port, runtime, base_url=base_url),
                                   env=voila_env(runtime, plan=plan),
                                   cwd=str(runtime), start_new_session=True,
                                   preexec_fn=parent_death_signal(signal.SIGTERM), **popen)
    except BaseException:
        shutil.rmtree(runtime, ignore_errors=True)
        raise
    process.runtime_dir = runtime
    return process


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server started by :func:`serve` and everything it started: it is asked to stop
    (SIGTERM: it shuts its kernels down), then whatever of its process tree is left (kernels
    run in sessions of their own) is ended, and its runtime folder removed.

    Any process stops the same way:

    >>> process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    >>> stop(process)
    >>> process.returncode == -signal.SIGTERM
    True
    """
    tree = descendants(process.pid)
    if process.poll() is None:
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            tree.update(descendants(process.pid))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        except ProcessLookupError:
            pass
    end_processes(tree)
    if getattr(process, "runtime_dir", None):
        shutil.rmtree(process.runtime_dir, ignore_errors=True)


def wait_until_ready(process: subprocess.Popen, host: str, port: int, timeout: float = 60) -> None:
    """Wait until the server answers (raise ``RuntimeError`` with its exit code if it died).

    >>> process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    >>> process.wait()
    3
    >>> wait_until_ready(process, DEFAULT_HOST, free_port(), timeout=5)
    Traceback (most recent call last):
    ...
    RuntimeError: Voilà 已退出 (exited), code 3
    """
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voilà 已退出 (exited), code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/voila/static/voila.js", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Voilà 未在 {timeout} 秒内就绪 (not ready in {timeout} s)")


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nobody listens on right now.

    >>> 1024 <= free_port() <= 65535
    True
    """
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _app(args) -> int:
    from .pages import plan_info

    host, port = args.host, args.port
    plan = resolve_plan(args.plan)
    info = plan_info(plan)  # a bad --plan stops here, with one line (exit 2)
    if args.max_kernels and args.max_kernels <= len(APPS) * args.pool_size:
        raise ParameterError(f"--max-kernels ({args.max_kernels}) 应大于预热内核总数 {len(APPS) * args.pool_size} "
                             f"(must exceed the preheated kernels, {len(APPS) * args.pool_size})")
    base = f"http://{host}:{port}{args.base_url.rstrip('/')}"
    build_voila_command(host, port, base_url=args.base_url)  # a bad --port or --base-url stops here
    print(f"指标应用 (apps) — {info['title_zh']}: {base}/")
    print(f"  指标总览 (scorecard, static: for a meeting): {base}/scorecard")
    for name, (zh, en) in APPS.items():
        print(f"  {zh} ({en}): {app_url(name, base)}")
    print("按 Ctrl-C 停止 (Ctrl-C to stop)", flush=True)
    process = log = None
    with stop_on_signals():
        try:
            process = serve(host, port, args.pool_size, args.cull_idle_timeout, args.cull_interval, plan=plan,
                            plan_info=info, max_kernels=args.max_kernels,
                            unconnected_timeout=args.unconnected_timeout,
                            disconnected_timeout=args.disconnected_timeout,
                            reports_dir=args.reports_dir, allow_origins=args.allow_origin or (),
                            base_url=args.base_url, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            log = _Relay(process.stdout, sys.stdout)
            return process.wait()
        except Stopped:
            return 0
        finally:
            # Preheated kernels are blocked waiting for a viewer; stopped, they report that their
            # sockets closed under them (a zmq traceback each). That is not the operator's concern.
            if log is not None:
                log.mute()
            if process is not None:
                stop(process)
            print("已停止 (stopped)", flush=True)


class _Relay:
    """Copy a server's output to ``out`` line by line, in a thread, until :meth:`mute`."""

    def __init__(self, stream, out):
        import threading

        self._stream, self._out, self._muted = stream, out, False
        self._thread = threading.Thread(target=self._run, name="voila-log", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for line in iter(self._stream.readline, b""):
            if not self._muted:
                try:
                    self._out.write(line.decode("utf-8", "replace"))
                    self._out.flush()
                except (OSError, ValueError):  # the terminal went away (SIGHUP)
                    self._muted = True

    def mute(self) -> None:
        self._muted = True


#: the lab's own Jupyter configuration: ``labconfig/page_config.json`` disables the announcements
#: plugin (no "get notified about official Jupyter news?" pop-up, no news fetched)
LAB_CONFIG_DIR = Path(__file__).resolve().parent / "jupyter_config"


def lab_environment(env: dict) -> dict:
    """What ``plananalysis lab`` changes in JupyterLab's environment (its kernels inherit it):
    the venv's ``bin`` first on ``PATH``, so ``!plananalysis review …`` runs in a notebook, and
    the lab's configuration folder first on ``JUPYTER_CONFIG_PATH``.

    >>> out = lab_environment({"PATH": "/usr/bin"})
    >>> out["PATH"].split(os.pathsep) == [str(Path(sys.executable).parent), "/usr/bin"]
    True
    >>> (Path(out["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0]) / "labconfig" / "page_config.json").is_file()
    True
    """
    venv_bin = str(Path(sys.executable).parent)   # not resolved: a venv's python is a link into it
    path = [venv_bin] + [p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    config = [str(LAB_CONFIG_DIR)] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    return {"PATH": os.pathsep.join(path), "JUPYTER_CONFIG_PATH": os.pathsep.join(dict.fromkeys(config))}


def _lab(args) -> int:
    import secrets

    from .pages import plan_info

    plan = resolve_plan(args.plan)
    plan_info(plan)  # a bad --plan stops here, with one line (exit 2)
    token = secrets.token_hex(16)
    notebook = PROJECT_DIR / "notebooks" / "explore.ipynb"
    url = f"http://{args.host}:{args.port}/lab"
    if notebook.exists():
        url += "/tree/notebooks/explore.ipynb"
    print(f"JupyterLab: {url}?token={token}", flush=True)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={args.host}",
               f"--ServerApp.port={args.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={PROJECT_DIR}",
               "--LabApp.news_url=None"]   # no news fetched from the internet
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI run as root
        command.append("--ServerApp.allow_root=True")
    env = dict(os.environ)
    paths = [str(PROJECT_DIR)] + [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env.update(PYTHONPATH=os.pathsep.join(dict.fromkeys(paths)), PLANANALYSIS_PLAN=plan)
    env.update(lab_environment(env))
    process = None
    with stop_on_signals():
        try:
            # its own session: Ctrl-C reaches this command, which stops JupyterLab (SIGTERM: it shuts
            # its kernels down) instead of JupyterLab asking "Shutdown this Jupyter server (y/[n])?"
            process = subprocess.Popen(command, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                                       preexec_fn=parent_death_signal(signal.SIGTERM))
            return process.wait()
        except Stopped:
            return 0
        finally:
            if process is not None:
                stop(process, timeout=20)


def register(sub) -> None:
    """Add ``app`` (and ``lab``) to the ``plananalysis`` command.

    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="plananalysis")
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["app", "--port", "8900", "--pool-size", "0"])
    >>> args.host, args.port, args.pool_size, args.cull_idle_timeout, args.max_kernels, args.plan
    ('127.0.0.1', 8900, 0, 600, 12, None)
    >>> parser.parse_args(["lab"]).port
    8888
    """
    p = sub.add_parser("app", help="serve the Voilà apps (指标总览、指标详情、情景推演)")
    p.add_argument("--plan", default=None, help="plan id or folder (default: data/settings.yml's default_plan)")
    p.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8866)")
    p.add_argument("--pool-size", type=int, default=DEFAULT_POOL_SIZE,
                   help="preheated kernels per app (0: no preheating)")
    p.add_argument("--max-kernels", type=int, default=DEFAULT_MAX_KERNELS,
                   help="most kernels at once, pools included (0: no cap); beyond it viewers get a wait page")
    p.add_argument("--unconnected-timeout", type=float, default=UNCONNECTED_TIMEOUT,
                   help="seconds before a kernel whose page never connected is shut down")
    p.add_argument("--disconnected-timeout", type=float, default=DISCONNECTED_TIMEOUT,
                   help="seconds a kernel outlives the last page connected to it")
    p.add_argument("--cull-idle-timeout", type=int, default=CULL_IDLE_TIMEOUT,
                   help="seconds before an idle viewer's kernel is shut down")
    p.add_argument("--cull-interval", type=int, default=CULL_INTERVAL)
    p.add_argument("--reports-dir", default=None, help="the reviews' folder served at /reports/ (default reports/)")
    p.add_argument("--allow-origin", action="append", metavar="URL",
                   help="another page origin allowed to open kernel websockets (repeatable)")
    p.add_argument("--base-url", default="/", help="path prefix behind a proxy, e.g. /plan/ (default /)")
    p.set_defaults(handler=_app)
    if "lab" not in sub.choices:
        q = sub.add_parser("lab", help="JupyterLab for analysts (token printed)")
        q.add_argument("--plan", default=None, help="plan id or folder (default: data/settings.yml's default_plan)")
        q.add_argument("--host", default=DEFAULT_HOST)
        q.add_argument("--port", type=int, default=8888)
        q.set_defaults(handler=_lab)
