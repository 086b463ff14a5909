"""Build the JupyterLite site of the lectures: ``make lite`` -> build/lite/.

JupyterLite runs JupyterLab and a Python kernel (Pyodide, CPython compiled to
WebAssembly) entirely in the browser: a student opens the site and runs the
lectures with nothing installed. The site is assembled in build/lite-src/:

  static/pyodide/   Pyodide's core from the npm registry's ``pyodide`` package
                    (tools/npm-assets.txt), so the kernel loads from the site, not a CDN
  pypi/             the wheels ``%pip install`` finds: tracegrad's own (build/dist),
                    and tools/lite-wheels.txt (IPython's jedi, parso and
                    ipython-pygments-lexers, the widgets, anywidget, graphviz)
  files/uk, en      the lecture notebooks
  jupyter-lite.json ``exposeAppInBrowser`` (the browser test reads the app)

then ``jupyter lite build`` (jupyterlite-core and jupyterlite-pyodide-kernel,
from build/lite-venv, a venv apart from JupyterLab's) writes build/lite/. Its
step cache (``.jupyterlite.doit.db``, ``.cache``) lives in build/lite-src/,
which is made anew every time, so a build never reuses stale steps.

What the site does not hold: Pyodide's packages (NumPy, matplotlib, IPython and
the rest of its distribution). No package registry carries them, only
Pyodide's own release, so a site built here loads them from a copy of that
release placed in static/pyodide/ (``--pyodide-dist DIR``, e.g. the unpacked
pyodide-314.0.6.tar.bz2), or not at all. See tests/browser/test_lite.py for
what is tested without them.
"""
import argparse
import hashlib
import json
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
LANGUAGES = ("uk", "en")
PYODIDE_SKIP = (".map", ".d.ts", ".html", ".md")     # source maps, typings, demo pages
# Pyodide's packages that the kernel loads at start (micropip; IPython and what it
# needs), with their dependencies. All are pure Python, so PyPI has the same
# versions; `fetch` downloads them and the site's copy of pyodide-lock.json gets
# their PyPI checksums (Pyodide repacks its wheels, so its checksums differ).
KERNEL_NEEDS = ("micropip", "ipython", "jedi", "typing-extensions")    # the last: anywidget's


def fail(message):
    sys.exit(f"lite: {message}")


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pyodide_lock():
    return json.loads((BUILD / "npm" / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))


def closure(lock, names):
    """The lock's entries for ``names`` and everything they depend on."""
    packages = {norm(k): v for k, v in lock["packages"].items()}
    seen, todo = {}, [norm(n) for n in names]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen[name] = packages[name]
            todo += [norm(d) for d in packages[name].get("depends", [])]
    return seen


def fetch(folder):
    """Download from PyPI the pure-Python wheels of Pyodide's that the kernel needs."""
    folder.mkdir(parents=True, exist_ok=True)
    needed = closure(pyodide_lock(), KERNEL_NEEDS)
    impure = [e["file_name"] for e in needed.values() if not e["file_name"].endswith("-none-any.whl")]
    if impure:
        fail(f"not pure Python, so not on PyPI as Pyodide builds them: {impure}")
    missing = [f"{e['name']}=={e['version']}" for e in needed.values()
               if not (folder / e["file_name"]).exists()]
    if missing:
        python = pyodide_lock()["info"]["python"].rsplit(".", 1)[0]      # e.g. 3.14
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--python-version", python,
                        "--only-binary=:all:", "--dest", str(folder), *missing], check=True)
    absent = [e["file_name"] for e in needed.values() if not (folder / e["file_name"]).exists()]
    if absent:
        fail(f"PyPI's wheels are named differently from Pyodide's lock: {absent}")
    print(f"lite: {len(needed)} of Pyodide's pure-Python wheels in {folder}")


def add_kernel_wheels(static, folder):
    """Serve the kernel's wheels beside Pyodide's core, with their checksums in its lock."""
    lock = pyodide_lock()
    for entry in closure(lock, KERNEL_NEEDS).values():
        wheel = folder / entry["file_name"]
        if not wheel.exists():
            fail(f"{wheel} is missing: run `make lite`")
        shutil.copy(wheel, static / entry["file_name"])
        entry["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (static / "pyodide-lock.json").write_text(json.dumps(lock), encoding="utf-8")


def assemble(src, wheels, dist, pyodide_dist=None):
    shutil.rmtree(src, ignore_errors=True)
    pyodide = BUILD / "npm" / "pyodide"
    if not (pyodide / "pyodide.mjs").exists():
        fail("build/npm/pyodide is missing: run `make lite` (or python tools/vendor.py)")
    (src / "static" / "pyodide").mkdir(parents=True)
    for path in pyodide.iterdir():
        if path.is_file() and not path.name.endswith(PYODIDE_SKIP):
            shutil.copy(path, src / "static" / "pyodide" / path.name)
    add_kernel_wheels(src / "static" / "pyodide", BUILD / "lite-pyodide-wheels")
    if pyodide_dist:                                   # a full Pyodide release, if one is at hand
        shutil.copytree(pyodide_dist, src / "static" / "pyodide", dirs_exist_ok=True)
    (src / "pypi").mkdir()
    ours = sorted(dist.glob("tracegrad-*-py3-none-any.whl"))
    if not ours:
        fail("build/dist has no tracegrad wheel: run `make dist` first")
    theirs = sorted(wheels.glob("*.whl"))
    if not theirs:
        fail(f"{wheels} has no wheels: run `make lite`")
    for wheel in [ours[-1], *theirs]:
        shutil.copy(wheel, src / "pypi" / wheel.name)
    for language in LANGUAGES:
        (src / "files" / language).mkdir(parents=True)
        for notebook in sorted((ROOT / "lectures" / language).glob("*.ipynb")):
            shutil.copy(notebook, src / "files" / language / notebook.name)
    config = {"jupyter-lite-schema-version": 0,
              "jupyter-config-data": {"appName": "tracegrad", "exposeAppInBrowser": True}}
    (src / "jupyter-lite.json").write_text(json.dumps(config, indent=2), encoding="utf-8")


def build(out, src, venv, wheels, dist, pyodide_dist=None):
    jupyter = venv / "bin" / "jupyter"
    if not jupyter.exists():
        fail(f"{venv} has no jupyter: run `make lite` (it makes that venv)")
    assemble(src, wheels, dist, pyodide_dist)
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([str(jupyter), "lite", "build", "--lite-dir", str(src), "--output-dir", str(out),
                    "--contents", str(src / "files")], cwd=src, check=True)
    if not (out / "static" / "pyodide" / "pyodide.mjs").exists():
        fail("the built site has no static/pyodide/pyodide.mjs")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    print(f"lite: {out} ({size:.0f} MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(BUILD / "lite"))
    parser.add_argument("--src", default=str(BUILD / "lite-src"))
    parser.add_argument("--venv", default=str(BUILD / "lite-venv"))
    parser.add_argument("--wheels", default=str(BUILD / "lite-wheels"))
    parser.add_argument("--dist", default=str(BUILD / "dist"))
    parser.add_argument("--pyodide-dist", help="an unpacked full Pyodide release to serve too")
    parser.add_argument("--fetch", action="store_true",
                        help="only download the kernel's wheels from PyPI (the build step uses no network)")
    a = parser.parse_args()
    if a.fetch:
        sys.exit(fetch(BUILD / "lite-pyodide-wheels"))
    paths = [pathlib.Path(p).resolve() for p in (a.out, a.src, a.venv, a.wheels, a.dist)]
    build(*paths, a.pyodide_dist and pathlib.Path(a.pyodide_dist).resolve())
