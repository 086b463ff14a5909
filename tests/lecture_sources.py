"""The lecture sources and their builder, shared by the tests that read them.

``lectures/build.py`` is a script, not a package module: it is imported here
once, from its own folder, so every test reads the sources the way the build does.
"""
import pathlib
import sys

LECTURES = pathlib.Path(__file__).resolve().parent.parent / "lectures"
SOURCES = sorted((LECTURES / "src").glob("[0-9]*.txt"))     # not _template.txt


def _load_build():
    sys.path.insert(0, str(LECTURES))
    try:
        import build
    finally:
        sys.path.pop(0)
    return build


build = _load_build()
