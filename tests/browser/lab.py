"""Drive a real JupyterLab in headless Chromium: start a server, open a notebook,
run all cells, read the rendered graphs, move widget sliders.

Facts this relies on are measured in ../shared/JUPYTER_NOTES.md: Debian's
chromium with Playwright's ``executable_path`` (no browser download), a fresh
config/data/runtime dir per run, ``expose_app_in_browser`` to reach the
application object, SVG outputs rendered as ``<img>`` with a data URL.
"""
from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"



def require_chromium():
    """Skip the calling test module without Debian's chromium; under CI, fail instead."""
    import pytest
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"chromium is missing ({CHROMIUM}); under CI the browser test "
                               f"must run: install Debian's chromium (make chromium)")
        pytest.skip("chromium is not installed (make chromium installs it)",
                    allow_module_level=True)

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server on 127.0.0.1 with a token and its own config dirs."""

    def __init__(self, root, workdir, env=None):
        self.root = pathlib.Path(root)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        env = dict(os.environ, **(env or {}))
        for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                         ("XDG_CONFIG_HOME", "xdg-config"), ("XDG_CACHE_HOME", "xdg-cache")):
            env[var] = str(pathlib.Path(workdir) / sub)
            pathlib.Path(env[var]).mkdir(parents=True, exist_ok=True)
        labconfig = pathlib.Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": {
            "@jupyterlab/apputils-extension:announcements": True}}))
        self.log = open(pathlib.Path(workdir) / "lab.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout=60):
        deadline = time.time() + timeout
        url = f"http://127.0.0.1:{self.port}/api/status?token={self.token}"
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("JupyterLab exited; see lab.log")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError("JupyterLab did not start within a minute")

    def url(self, notebook):
        return (f"http://127.0.0.1:{self.port}/lab/tree/{urllib.parse.quote(notebook)}"
                f"?token={self.token}&reset")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def launch_browser(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update",
              "--no-first-run", "--disable-sync"])


KERNEL_READY = """() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  const s = w && w.sessionContext && w.sessionContext.session;
  return !!(s && s.kernel && s.kernel.connectionStatus === 'connected'
            && s.kernel.status === 'idle');
}"""

RUN_ALL = """() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; }"""

ALL_RAN = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""


def open_and_run(page, lab, notebook, timeout_ms=180_000):
    page.goto(lab.url(notebook))
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.wait_for_function(KERNEL_READY, timeout=90_000)
    page.evaluate(RUN_ALL)                     # launched, not awaited: it resolves late
    page.wait_for_function(ALL_RAN, timeout=timeout_ms, polling=500)
    page.wait_for_function(KERNEL_READY, timeout=timeout_ms)


def svg_images(page):
    """The text of every SVG output on the page (Lab shows them as data-URL <img>)."""
    texts = []
    for src in page.eval_on_selector_all(".jp-RenderedSVG img", "els => els.map(e => e.src)"):
        header, data = src.split(",", 1)
        texts.append(base64.b64decode(data).decode("utf-8") if ";base64" in header
                     else urllib.parse.unquote(data))
    return texts


def svg_labels(svg):
    """The text labels of a Graphviz SVG, in order, entities decoded."""
    import html
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def keep_local(context):
    """Abort every request that leaves this machine; return the list of those tried.

    A test asserts the list is empty at its end: nothing may be fetched from the
    network (no CDN, no fonts), at run time or test time."""
    tried = []

    def route(r):
        host = urllib.parse.urlsplit(r.request.url).hostname or ""
        if r.request.url.startswith(("http://", "https://", "ws://", "wss://")) \
                and host not in ("127.0.0.1", "localhost", "::1"):
            tried.append(r.request.url)
            return r.abort()
        return r.continue_()
    context.route("**/*", route)
    return tried


class StaticServer:
    """``python -m http.server`` for one folder, on 127.0.0.1, in a thread."""

    def __init__(self, root):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
