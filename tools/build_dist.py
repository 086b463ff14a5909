"""Build tracegrad's sdist and wheel: ``make dist`` -> build/dist/.

The lecture notebooks ship inside the package, as ``tracegrad/_lectures/{uk,en}``,
so that ``python -m tracegrad.lectures DIR`` works for a pip user. They are
copied from lectures/ for the build only and removed afterwards: the repository
keeps one copy. The front end's files (``*.js``, ``*.css``, ``*.wasm`` and their
licences) are package data (pyproject.toml's ``[tool.setuptools.package-data]``).

``--wheelhouse DIR`` also downloads every wheel the new wheel's ``lab`` extra
needs into DIR, so a test can install it into a fresh venv with ``pip install
--no-index --find-links DIR`` and no network (tests/browser/test_wheel.py).
"""
import argparse
import pathlib
import shutil
import subprocess
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGED = ROOT / "tracegrad" / "_lectures"
LANGUAGES = ("uk", "en")


def copy_lectures():
    shutil.rmtree(PACKAGED, ignore_errors=True)
    for language in LANGUAGES:
        (PACKAGED / language).mkdir(parents=True)
        for notebook in sorted((ROOT / "lectures" / language).glob("*.ipynb")):
            shutil.copyfile(notebook, PACKAGED / language / notebook.name)


def build(out):
    shutil.rmtree(out, ignore_errors=True)
    copy_lectures()
    try:
        subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True)
    finally:
        shutil.rmtree(PACKAGED, ignore_errors=True)
    wheel = next(out.glob("tracegrad-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    notebooks = [n for n in names if n.startswith("tracegrad/_lectures/") and n.endswith(".ipynb")]
    expected = sum(len(list((ROOT / "lectures" / lang).glob("*.ipynb"))) for lang in LANGUAGES)
    if len(notebooks) != expected:
        sys.exit(f"dist: the wheel holds {len(notebooks)} lecture notebooks, lectures/ has {expected}")
    assets = [n for n in names if n.endswith((".js", ".mjs", ".css", ".wasm"))]
    print(f"dist: {wheel.name}: {len(notebooks)} notebooks, {len(assets)} front-end files")
    return wheel


def wheelhouse(wheel, folder):
    """Every wheel that ``tracegrad[lab]`` needs, from pip's configured index."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
                    "--dest", str(folder), f"tracegrad[lab] @ {wheel.resolve().as_uri()}"], check=True)
    for old in folder.glob("tracegrad-*"):        # the wheel under test comes from build/dist
        old.unlink()
    print(f"dist: {len(list(folder.glob('*.whl')))} wheels for tracegrad[lab] in {folder}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "dist"))
    parser.add_argument("--wheelhouse", help="also download the lab extra's wheels here")
    args = parser.parse_args()
    wheel = build(pathlib.Path(args.out))
    if args.wheelhouse:
        wheelhouse(wheel, pathlib.Path(args.wheelhouse))
