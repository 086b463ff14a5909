"""The wheel (``make dist`` -> build/dist/) installed into a fresh venv, with no ``dot``.

One venv per test session, installed with ``pip install --no-index
--find-links build/wheelhouse tracegrad-*.whl[lab]`` (``make dist`` downloads
the wheelhouse), so the test uses no network. Every command in the venv runs
with PATH holding only the venv's bin/: Graphviz's ``dot`` is out of reach, as
on a Windows or macOS laptop without Graphviz.

Checked: the package imports and differentiates (against the derivative by
hand), a graph shows its text listing and advice in a terminal, the stepper
is built, ``python -m tracegrad.lectures DIR`` copies the notebooks (compared
byte for byte with lectures/) without importing the lab stack, and, in
JupyterLab in headless Chromium, the graph's SVG is drawn by the WebAssembly
renderer.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tracegrad.words import words

from . import lab as lab_harness
from .lab import CHROMIUM, launch_browser, open_and_run

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIST = ROOT / "build" / "dist"
WHEELHOUSE = ROOT / "build" / "wheelhouse"
LANGUAGES = ("uk", "en")


def missing(what):
    message = f"{what} is missing: run `make dist` first (it builds the wheel and its wheelhouse)"
    if os.environ.get("CI") == "true":
        raise RuntimeError(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def venv():
    """A fresh venv with the wheel and its lab extra, from the wheelhouse only."""
    wheels = sorted(DIST.glob("tracegrad-*.whl"))
    if not wheels:
        missing("build/dist/tracegrad-*.whl")
    if not WHEELHOUSE.is_dir():
        missing("build/wheelhouse")
    # In build/, made anew each session and left behind (deleting 400 MB costs time; make clean does it).
    work = ROOT / "build" / "wheel-test"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    python = work / "venv" / "bin" / "python"
    # pip from this environment installs into the new one (--python); no .pyc compiling: faster.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-compile", "--no-index", "--find-links", str(WHEELHOUSE),
                    f"{wheels[-1]}[lab]"], check=True)
    return python


def no_dot_env(python):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = str(python.parent)               # the venv's bin/ only: no `dot` on it
    env["HOME"] = str(python.parents[2])
    return env


def run(python, code, *args):
    done = subprocess.run([str(python), "-c", textwrap.dedent(code), *args], check=False, capture_output=True,
                          text=True, env=no_dot_env(python), cwd=python.parents[2], timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_installed_from_the_wheel_with_no_dot(venv):
    out = run(venv, """
        import shutil, tracegrad
        print(shutil.which("dot"), tracegrad.__file__)
    """)
    where, module = out.split()
    assert where == "None"
    assert pathlib.Path(module).is_relative_to(venv.parents[1])     # the venv's copy, not the repo's


def test_the_wheel_says_it_is_typed(venv):
    out = run(venv, """
        import pathlib, tracegrad
        print((pathlib.Path(tracegrad.__file__).parent / "py.typed").is_file())
    """)
    assert out.strip() == "True"


def test_grad_and_graph_in_a_terminal(venv):
    x = 0.7
    out = json.loads(run(venv, """
        import json, sys
        import tracegrad as tg, tracegrad.numpy as tnp
        f = lambda x: tnp.tanh(x) * x
        x = float(sys.argv[1])
        g = tg.graph(f)(x)
        bundle = g._repr_mimebundle_()
        print(json.dumps({"grad": float(tg.grad(f)(x)), "listing": g.listing(),
                          "repr": repr(g), "mimes": sorted(bundle), "text": bundle["text/plain"]}))
    """, str(x)))
    assert out["grad"] == pytest.approx(np.tanh(x) + x * (1 - np.tanh(x) ** 2), rel=1e-12)
    assert "tanh" in out["listing"] and out["repr"] == out["listing"]
    assert "image/svg+xml" not in out["mimes"]          # no dot, no front end: no picture
    assert out["text"].startswith(out["listing"].split("\n")[0])
    advice = out["text"][len(out["text"].rstrip().rsplit("\n\n", 1)[0]):].strip()
    assert "Graphviz" in advice or "graphviz" in advice, out["text"]


def test_terminal_advice_is_one_line(venv):
    text = run(venv, """
        import tracegrad as tg, tracegrad.numpy as tnp
        g = tg.graph(lambda x: tnp.tanh(x) * x)(0.7)
        print(g._repr_mimebundle_()["text/plain"])
    """)
    listing = run(venv, """
        import tracegrad as tg, tracegrad.numpy as tnp
        print(tg.graph(lambda x: tnp.tanh(x) * x)(0.7)._short_listing())
    """)
    assert text.startswith(listing.rstrip("\n"))
    assert len(text[len(listing):].strip().splitlines()) == 1, text


def test_the_stepper_is_built(venv):
    out = run(venv, """
        import ipywidgets, tracegrad as tg, tracegrad.numpy as tnp
        g = tg.graph(lambda w: tnp.tanh(w * 0.5 + 0.1))(0.3)
        s = tg.widgets.stepper(g)
        html = s._repr_mimebundle_()[0]["text/html"]
        print(isinstance(s, ipywidgets.Widget), len(s.order), len(g.nodes),
              bool(s.data["dot"]), bool(s.data["svg"]), "tg-graphviz-js" in html)
    """)
    widget, steps, nodes, dot_text, svg, wasm = out.split()
    assert widget == "True" and steps == nodes           # one step per node of the graph
    # No dot: the DOT goes to the browser, with the WebAssembly Graphviz inside the HTML.
    assert (dot_text, svg, wasm) == ("True", "False", "True")


def test_lectures_command_copies_both_languages_without_the_lab_stack(venv, tmp_path):
    out = run(venv, """
        import runpy, sys
        sys.argv = ["tracegrad.lectures", sys.argv[1]]
        try:
            runpy.run_module("tracegrad.lectures", run_name="__main__")
        except SystemExit as e:
            assert not e.code, e.code
        heavy = [m for m in ("ipywidgets", "jupyterlab", "matplotlib", "graphviz", "anywidget")
                 if m in sys.modules]
        print("heavy:", heavy)
    """, str(tmp_path / "mine"))
    assert out.strip().endswith("heavy: []"), out
    for language in LANGUAGES:
        stored = sorted((ROOT / "lectures" / language).glob("*.ipynb"))
        copied = sorted((tmp_path / "mine" / language).glob("*.ipynb"))
        assert [p.name for p in copied] == [p.name for p in stored]
        assert all(a.read_bytes() == b.read_bytes() for a, b in zip(stored, copied))
    # A second run keeps what is there (a student's edits) and says so.
    (tmp_path / "mine" / "en" / stored[0].name).write_text("my notes", encoding="utf-8")
    again = run(venv, "from tracegrad.lectures import main; main()", str(tmp_path / "mine"))
    said = words(os.environ.get("TRACEGRAD_LANG") or "en")["copy.kept"].split("{")[0]
    assert said in again and (tmp_path / "mine" / "en" / stored[0].name).read_text() == "my notes"


GRAPH_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "graph", "metadata": {},
               "outputs": [], "source": "import tracegrad as tg, tracegrad.numpy as tnp\n"
                                        "tg.graph(lambda w: tnp.tanh(w * 0.5 + 0.1))(0.3)"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5}


def test_jupyterlab_draws_the_graph_with_webassembly(venv, tmp_path, monkeypatch):
    if not os.path.exists(CHROMIUM):
        missing(f"chromium ({CHROMIUM})")
    playwright = pytest.importorskip("playwright.sync_api")
    package = pathlib.Path(run(venv, "import tracegrad; print(tracegrad.__file__)").strip()).parent
    if not any(package.rglob("*.js")):
        pytest.fail("the installed wheel carries no JavaScript: no browser renderer yet")
    root = tmp_path / "root"
    root.mkdir()
    (root / "graph.ipynb").write_text(json.dumps(GRAPH_NOTEBOOK), encoding="utf-8")
    # The harness starts JupyterLab with sys.executable and os.environ: point both at the venv.
    monkeypatch.setattr(lab_harness.sys, "executable", str(venv))
    for key, value in no_dot_env(venv).items():
        monkeypatch.setenv(key, value)
    lab = lab_harness.Lab(root, tmp_path)
    monkeypatch.undo()
    try:
        with playwright.sync_playwright() as p:
            browser = launch_browser(p)
            context = browser.new_context()
            left = []
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                f"http://127.0.0.1:{lab.port}/") else (left.append(r.request.url), r.abort()))
            page = context.new_page()
            open_and_run(page, lab, "graph.ipynb", timeout_ms=60_000)
            page.wait_for_selector(".jp-OutputArea-output svg g.node", timeout=30_000)
            labels = page.eval_on_selector_all(".jp-OutputArea-output svg g.node text",
                                               "els => els.map(e => e.textContent)")
            browser.close()
    finally:
        lab.stop()
    assert not left, f"requests left localhost: {left}"
    y = np.tanh(0.3 * 0.5 + 0.1)
    assert any(f"{y:.4g}" in t for t in labels), labels        # the output's value, by NumPy
    assert any("tanh" in t for t in labels), labels
