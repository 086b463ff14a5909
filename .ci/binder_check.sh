#!/usr/bin/env bash
# The Binder check: do what Binder (repo2docker) does with binder/, on this machine,
# in a fresh virtual environment, and run every lecture notebook there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "binder check: fresh venv in a temporary folder"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
echo "binder check: pip install -r binder/requirements.txt"
"$work/venv/bin/python" -m pip install --quiet -r binder/requirements.txt

echo "binder check: apt.txt"
while read -r pkg; do
  [ -z "$pkg" ] || [ "${pkg#\#}" != "$pkg" ] && continue
  dpkg -s "$pkg" >/dev/null 2>&1 || { echo "apt package $pkg (binder/apt.txt) is not installed"; exit 1; }
done < binder/apt.txt

echo "binder check: postBuild"
cp -r lectures "$work/lectures"                 # postBuild changes trust state only, but keep the repo clean
(cd "$work" && PATH="$work/venv/bin:$PATH" JUPYTER_DATA_DIR="$work/jupyter-data" bash "$root/binder/postBuild")
JUPYTER_DATA_DIR="$work/jupyter-data" "$work/venv/bin/python" - lectures/*/*.ipynb <<'PY'
import sys, nbformat
from nbformat.sign import NotebookNotary
notary = NotebookNotary()
untrusted = [p for p in sys.argv[1:] if not notary.check_signature(nbformat.read(p, 4))]
if untrusted:
    sys.exit(f"postBuild did not trust: {untrusted}")
print(f"  postBuild trusted {len(sys.argv) - 1} notebooks")
PY
[ ! -e "$work/lectures/solutions" ] || { echo "binder check: postBuild left lectures/solutions in Binder's tree"; exit 1; }
echo "  postBuild removed lectures/solutions"

echo "binder check: run every notebook in the Binder environment"
for nb in lectures/uk/*.ipynb lectures/en/*.ipynb; do
  (cd "$(dirname "$nb")" && PATH="$work/venv/bin:$PATH" "$work/venv/bin/jupyter" nbconvert --to notebook --execute \
      --ExecutePreprocessor.timeout=300 --output-dir "$work/out/$(basename "$(dirname "$nb")")" \
      "$(basename "$nb")" >/dev/null 2>"$work/nbconvert.log") \
    || { cat "$work/nbconvert.log"; echo "binder check: $nb failed in the Binder environment"; exit 1; }
  echo "  ran $nb"
done

echo "binder check: repo2docker --no-build (the Dockerfile Binder would build)"
if "$work/venv/bin/python" -m pip install --quiet jupyter-repo2docker 2>/dev/null; then
  "$work/venv/bin/repo2docker" --no-build --debug . > "$work/dockerfile.txt" 2>&1 || true
  grep -q "apt.txt\|graphviz" "$work/dockerfile.txt" && grep -qi "postBuild" "$work/dockerfile.txt" \
    && echo "  repo2docker would install graphviz and run postBuild" \
    || { tail -20 "$work/dockerfile.txt"; echo "binder check: repo2docker output lacks apt.txt/postBuild steps"; exit 1; }
else
  echo "  repo2docker could not be installed here: skipped"
fi
echo "binder check: passed"
