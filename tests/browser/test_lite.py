"""The JupyterLite site (``make lite`` -> build/lite/) in headless Chromium, offline.

Served from 127.0.0.1; every request to another host is aborted and fails the
test. In the browser: JupyterLite's app loads, the Pyodide kernel starts from
the site's own copy of Pyodide's core (npm's ``pyodide`` package, not a CDN),
IPython runs code, ``%pip install`` installs ipywidgets, anywidget and tracegrad's wheel
from the site's pypi/ folder, the installed tracegrad is the wheel's version
and carries the lecture notebooks, and the lectures are in the site's files.

What is NOT tested, and why:
- ``import tracegrad``, and so every lecture cell: tracegrad needs NumPy, and
  Pyodide's NumPy (a WebAssembly build) is only in Pyodide's own release, which
  no package registry carries; this machine reaches registries only. The test
  checks instead that the import stops at exactly that point
  (``ModuleNotFoundError: numpy``). A site built with ``--pyodide-dist`` (the
  full release unpacked) serves NumPy; that is not tested here.
- ``%pip install tracegrad`` with its dependencies, for the same reason
  (micropip would fetch NumPy); the test installs with ``--no-deps`` and
  installs graphviz, the other dependency, by name. Of the ``lab`` extra, the
  kernel installs ipywidgets and anywidget (with their dependencies, from
  pypi/ and beside Pyodide's core); JupyterLab is the site itself (with the
  two widget front ends built in), and matplotlib is Pyodide's own build.
- Widgets drawn in Lite's front end, the graph pictures (no ``dot`` in Pyodide:
  anywidget's front end, which the site carries, draws them with the
  WebAssembly Graphviz) and matplotlib plots: all come after ``import tracegrad``.
"""
import functools
import http.server
import json
import os
import pathlib
import threading
import typing
import zipfile

import pytest

from .lab import launch_browser, require_chromium

ROOT = pathlib.Path(__file__).resolve().parents[2]
LITE = ROOT / "build" / "lite"
DIST = ROOT / "build" / "dist"
LANGUAGES = ("uk", "en")

require_chromium()
playwright = pytest.importorskip("playwright.sync_api")

if not (LITE / "index.html").exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError("build/lite is missing: `make lite` builds it before this test")
    pytest.skip("build/lite is missing: run `make lite`", allow_module_level=True)


class Server(http.server.SimpleHTTPRequestHandler):
    # WebAssembly and ES modules must be served with their own types, or the browser refuses them.
    extensions_map: typing.ClassVar = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".json": "application/json"}

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def lite():
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Server, directory=str(LITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# Start a kernel through the app's service manager and run one cell; return its
# stdout and the reply's status (no notebook UI is involved, so nothing is saved).
RUN = """async (code) => {
  const app = window.jupyterapp;
  await app.serviceManager.ready;
  const kernel = await app.serviceManager.kernels.startNew({name: 'python'});
  const out = [];
  const future = kernel.requestExecute({code});
  future.onIOPub = m => {
    if (m.header.msg_type === 'stream') out.push(m.content.text);
    if (m.header.msg_type === 'error') out.push(m.content.ename + ': ' + m.content.evalue);
  };
  const reply = await future.done;
  return JSON.stringify({status: reply.content.status, out: out.join('')});
}"""

CELL = """\
%pip install ipywidgets anywidget
%pip install --no-deps tracegrad graphviz
import importlib.metadata, json, sys, ipywidgets, anywidget
dist = importlib.metadata.distribution("tracegrad")
notebooks = sorted(str(f) for f in dist.files if f.suffix == ".ipynb")
try:
    import tracegrad
    missing = None
except ModuleNotFoundError as e:
    missing = e.name
print(json.dumps({"python": sys.platform, "tracegrad": dist.version, "ipywidgets": ipywidgets.__version__,
                  "anywidget": importlib.metadata.version("anywidget"),
                  "notebooks": notebooks, "missing": missing}))
"""


def pinned(name):
    """The version tools/lite-wheels.txt pins ``name`` to."""
    return next(line.split("==")[1] for line in
                (ROOT / "tools" / "lite-wheels.txt").read_text().splitlines()
                if line.startswith(f"{name}=="))


def test_kernel_starts_and_installs_tracegrad_offline(lite):
    wheel = max(DIST.glob("tracegrad-*.whl"))
    in_wheel = sorted(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".ipynb"))
    with playwright.sync_playwright() as p:
        browser = launch_browser(p)
        context = browser.new_context()
        left = []

        def guard(route):
            if route.request.url.startswith(lite):
                route.continue_()
            else:
                left.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.goto(lite + "lab/index.html")
        page.wait_for_function("() => { const s = window.jupyterapp && window.jupyterapp.serviceManager"
                               ".kernelspecs.specs; return !!(s && s.kernelspecs && s.kernelspecs.python); }",
                               timeout=90_000)
        result = json.loads(page.evaluate(RUN, CELL))
        browser.close()
    assert not left, f"requests left localhost: {left}"
    assert result["status"] == "ok", result
    line = json.loads(result["out"].strip().splitlines()[-1])
    assert line["python"] == "emscripten"                       # it ran in Pyodide, in the browser
    assert line["tracegrad"] == wheel.name.split("-")[1]        # the wheel from the site's pypi/
    assert line["notebooks"] == in_wheel
    assert line["ipywidgets"] == pinned("ipywidgets")
    assert line["anywidget"] == pinned("anywidget")
    assert line["missing"] == "numpy"                           # see the module's docstring


def test_site_holds_the_lectures_and_a_local_pyodide():
    for language in LANGUAGES:
        stored = sorted(p.name for p in (ROOT / "lectures" / language).glob("*.ipynb"))
        assert sorted(p.name for p in (LITE / "files" / language).glob("*.ipynb")) == stored
    config = json.loads((LITE / "jupyter-lite.json").read_text(encoding="utf-8"))
    settings = config["jupyter-config-data"]["litePluginSettings"]
    url = settings["@jupyterlite/pyodide-kernel-extension:kernel"]["pyodideUrl"]
    assert url == "./static/pyodide/pyodide.mjs" and (LITE / url).exists()


def test_site_carries_the_widget_front_ends():
    """Lite's JupyterLab draws ipywidgets and anywidgets (tracegrad's graphs and
    stepper) with the federated extensions built into the site."""
    config = json.loads((LITE / "jupyter-lite.json").read_text(encoding="utf-8"))
    extensions = {e["name"]: e for e in config["jupyter-config-data"]["federated_extensions"]}
    for name in ("@jupyter-widgets/jupyterlab-manager", "anywidget"):
        assert name in extensions, sorted(extensions)
        assert (LITE / "extensions" / name / extensions[name]["load"]).exists()
    version = json.loads((LITE / "extensions" / "anywidget" / "package.json").read_text())["version"]
    assert version == pinned("anywidget")
