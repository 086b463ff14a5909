"""Copy the lecture notebooks into a folder of your own:

    python -m tracegrad.lectures DIR            # DIR/uk/*.ipynb and DIR/en/*.ipynb
    python -m tracegrad.lectures DIR --force    # overwrite notebooks already there

Then ``jupyter lab DIR``. A wheel of tracegrad carries the notebooks (``make
dist`` copies lectures/ into the package as ``tracegrad/_lectures``); in a
clone of the repository they are read from ``lectures/`` itself. Notebooks
already in DIR are kept unless ``--force`` is given: they may hold your work.

This module needs nothing of the lab (no JupyterLab, widgets or Graphviz), so
it works before JupyterLab is installed. Its messages come from
tracegrad/words/, in the language of ``$TRACEGRAD_LANG`` (else English).
"""
import argparse
import pathlib
import shutil
import sys

from .words import message, words

LANGUAGES = ("uk", "en")
WHERE_ELSE = "https://github.com/tracegrad/tracegrad/tree/HEAD/lectures"
HERE = pathlib.Path(__file__).resolve().parent


def source():
    """The folder holding uk/ and en/: the wheel's copy, else a clone's lectures/."""
    for folder in (HERE / "_lectures", HERE.parent / "lectures"):
        # any() of a generator object would always be true: ask each for a first notebook
        if any(next((folder / language).glob("*.ipynb"), None) for language in LANGUAGES):
            return folder
    return None


def copy(target, force=False):
    """Copy every lecture notebook into ``target``; return (copied, kept) paths."""
    origin = source()
    if origin is None:
        raise FileNotFoundError(message("err.no-notebooks", where=WHERE_ELSE))
    copied, kept = [], []
    for language in LANGUAGES:
        for notebook in sorted((origin / language).glob("*.ipynb")):
            destination = pathlib.Path(target) / language / notebook.name
            if destination.exists() and not force:
                kept.append(destination)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, destination)
            copied.append(destination)
    return copied, kept


def main(argv=None):
    say = words()
    parser = argparse.ArgumentParser(prog="python -m tracegrad.lectures",
                                     description=say["copy.description"])
    parser.add_argument("dir", metavar="DIR", help=say["copy.dir"])
    parser.add_argument("--force", action="store_true", help=say["copy.force"])
    args = parser.parse_args(argv)
    try:
        copied, kept = copy(args.dir, force=args.force)
    except FileNotFoundError as error:
        print(say["copy.error"].format(error=error), file=sys.stderr)
        return 1
    for path in copied:
        print(say["copy.copied"].format(path=path))
    if kept:
        print(say["copy.kept"].format(count=len(kept), dir=args.dir))
    print(say["copy.open"].format(dir=args.dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
