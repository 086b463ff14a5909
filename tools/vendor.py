"""Fetch the front-end packages listed in tools/npm-assets.txt into build/npm/.

Each package is fetched with ``npm pack NAME@VERSION`` (the registry's tarball,
no dependencies, no install scripts run), checked against the integrity hash
written in the list, and unpacked into ``build/npm/NAME/``. The static site and
the JupyterLite site copy the few files they need from there, with the
package's licence, so no page ever loads a script from a CDN.

This is the only step that uses the network (the npm registry), and it runs at
build time: a package already unpacked at the listed version is not fetched
again. ``python tools/vendor.py --check`` only says whether everything is there.
"""
import base64
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
LIST = ROOT / "tools" / "npm-assets.txt"
OUT = ROOT / "build" / "npm"


def assets():
    """(name, version, integrity) for every line of the list."""
    for line in LIST.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            spec, integrity = line.split()
            name, version = spec.rsplit("@", 1)
            yield name, version, integrity


def unpacked(name):
    return OUT / name


def is_current(name, version):
    stamp = unpacked(name) / "package.json"
    return stamp.exists() and json.loads(stamp.read_text(encoding="utf-8"))["version"] == version


def fail(message):
    sys.exit(f"vendor: {message}")


def fetch(name, version, integrity):
    npm = shutil.which("npm")
    if npm is None:
        fail(f"{name}@{version} is not in build/npm and `npm` is missing. "
             "Install Node.js's npm (Debian: sudo apt-get install npm), then run make again.")
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([npm, "pack", f"{name}@{version}", "--silent", "--json",
                              "--pack-destination", tmp], check=False, capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"`npm pack {name}@{version}` failed (is the npm registry reachable?):\n"
                 + run.stderr[-2000:])
        tarball = pathlib.Path(tmp) / json.loads(run.stdout)[0]["filename"]
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != integrity:
            fail(f"{name}@{version}: integrity {digest} differs from the one in {LIST.name}")
        target = unpacked(name)
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():          # npm tarballs keep everything under package/
                if not (member.isfile() or member.isdir()) or ".." in member.name.split("/"):
                    continue
                member.name = member.name.split("/", 1)[1] if "/" in member.name else ""
                if member.name:
                    tar.extract(member, target)
        add_licence(target)
    print(f"vendor: {name}@{version} -> {target.relative_to(ROOT)}")


def add_licence(target):
    """Write LICENSE.txt into a package that ships no licence file of its own.

    Its text comes from tools/licenses/<SPDX id>.txt, named by the package.json's
    ``license`` field (html-manager and pyodide carry no licence file on npm).
    """
    if any(p.name.upper().startswith(("LICENSE", "LICENCE", "COPYING")) for p in target.iterdir()):
        return
    meta = json.loads((target / "package.json").read_text(encoding="utf-8"))
    text = ROOT / "tools" / "licenses" / f"{meta['license']}.txt"
    if not text.exists():
        fail(f"{meta['name']} ships no licence file and tools/licenses/{text.name} is missing")
    (target / "LICENSE.txt").write_text(
        f"{meta['name']} {meta['version']}, from the npm registry. Its package.json gives the "
        f"licence {meta['license']}; the package ships no licence file, so its text follows.\n\n"
        + text.read_text(encoding="utf-8"), encoding="utf-8")


def main(argv):
    missing = [(n, v, i) for n, v, i in assets() if not is_current(n, v)]
    if "--check" in argv:
        for name, version, _ in missing:
            print(f"vendor: missing {name}@{version}")
        return 1 if missing else 0
    for item in missing:
        fetch(*item)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
