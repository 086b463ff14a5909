# Two commands a student needs:  `make lab`  and  `make test`.
# Everything is installed by these targets, into .venv, so a fresh clone works.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
FW_STAMP := $(VENV)/.frameworks
PYTEST := $(PY) -m pytest -q -p no:cacheprovider
NOTEBOOKS := lectures/uk lectures/en

.PHONY: lab test lint unit notebooks lectures-code binder browser bench dot chromium trust vendor clean site dist lite \
	assignments grading lecture slides handouts

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); \
	  echo "Python's venv module is missing. On Debian/Ubuntu: sudo apt-get install python3-venv"; \
	  echo "(or set PYTHON=python3.X to a Python that has it), then run make again."; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[lab,test]'
	touch $(STAMP)

# JAX and PyTorch (its CPU build, pinned: plain `torch` is a CUDA build of gigabytes), for
# the unit tests that check what the lectures say about them. `make lab` does not need them.
$(FW_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[frameworks]'
	touch $(FW_STAMP)

# Graphviz's `dot` renders the graphs; the Python package only writes DOT.
dot:
	@.ci/install-system-package dot graphviz

# Debian's chromium for the browser test (Playwright drives it; nothing is downloaded).
chromium:
	@.ci/install-system-package chromium chromium

# Trusted notebooks show their stored graphs before anything is re-run.
trust: $(STAMP)
	@$(VENV)/bin/jupyter trust $(wildcard lectures/uk/*.ipynb lectures/en/*.ipynb) >/dev/null

lab: $(STAMP) dot trust
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) lectures/

# Every test, in order: lint, unit tests, the notebooks under nbval, the uk/en
# code check, the Binder check, then the static site, the wheel and the JupyterLite
# site are built, and the real-browser tests run (JupyterLab, and each build).
test: $(STAMP) lint dot chromium unit notebooks lectures-code binder grading site dist lite browser

# Ruff (installed by the test extra) with the settings in pyproject.toml.
lint: $(STAMP)
	$(VENV)/bin/ruff check .

# `dot` too: the widget and rendering tests need it, and skip (saying why) without it.
# Then the whole suite again in Ukrainian: messages matched in English (tests/conftest.py);
# not the tests that run JAX and PyTorch, which read both languages' lectures in one run.
unit: $(STAMP) $(FW_STAMP) dot
	$(PYTEST) tests --ignore=tests/browser --deselect tests/test_lectures.py \
	  --deselect tests/test_assignments.py::test_nbgrader_grades_two_submissions -n 2
	$(PYTEST) tests --ignore=tests/browser --deselect tests/test_lectures.py \
	  --deselect tests/test_assignments.py::test_nbgrader_grades_two_submissions -n 2 \
	  --tg-language=uk \
	  --ignore=tests/test_framework_claims.py --ignore=tests/test_framework_snippets.py

notebooks: $(STAMP) dot
	$(PYTEST) --nbval $(NOTEBOOKS) --nbval-sanitize-with lectures/sanitize.cfg \
	  --nbval-current-env --nbval-cell-timeout=300 -n 2 --dist loadscope

lectures-code: $(STAMP)
	$(PYTEST) tests/test_lectures.py

binder: $(STAMP) dot
	.ci/binder_check.sh

browser: $(STAMP) chromium
	$(PYTEST) tests/browser -s

# `make bench BENCH=--quick` for a smoke run (add --output PATH to keep results.md).
BENCH ?=
# ---- what goes out: the static site, the wheel, the JupyterLite site -------------
# Downloads happen here, at build time (npm and PyPI registries); the tests that
# read these builds (tests/browser/test_site.py, test_wheel.py, test_lite.py)
# use no network.
NPM_STAMP := build/npm/.vendored
LITE_VENV := build/lite-venv

# Front-end files from the npm registry, at the versions and hashes in tools/npm-assets.txt.
$(NPM_STAMP): $(STAMP) tools/npm-assets.txt tools/vendor.py
	@.ci/install-system-package npm npm
	$(PY) tools/vendor.py
	touch $@

# The lectures as HTML pages, offline: build/site/index.html.
site: $(STAMP) $(NPM_STAMP)
	$(PY) tools/build_site.py build/site

# sdist and wheel in build/dist; the wheels of its lab extra in build/wheelhouse.
dist: $(STAMP)
	$(PY) tools/build_dist.py --out build/dist --wheelhouse build/wheelhouse

$(LITE_VENV)/.installed: tools/lite-requirements.txt
	@$(PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet -r tools/lite-requirements.txt
	touch $@

# The JupyterLite site in build/lite (serve it: python tools/serve.py build/lite).
lite: dist $(NPM_STAMP) $(LITE_VENV)/.installed
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --platform any -r tools/lite-wheels.txt -d build/lite-wheels
	$(PY) tools/build_lite.py --fetch
	$(PY) tools/build_lite.py --out build/lite --venv $(LITE_VENV)

# One lecture alone, while writing it: `make lecture L=09` builds lectures/src/09_*.txt
# into uk/ and en/ (the build refuses warnings, nan and inf), then runs nbval on both
# notebooks, the uk/en parity and freshness checks, and its exercises' checks.
lecture: $(STAMP) dot
	@test -n "$(L)" || { echo "say which lecture: make lecture L=09"; exit 1; }
	$(PY) lectures/build.py $(L)
	$(PYTEST) --nbval lectures/uk/$(L)*.ipynb lectures/en/$(L)*.ipynb \
	  --nbval-sanitize-with lectures/sanitize.cfg --nbval-current-env --nbval-cell-timeout=300
	$(PYTEST) tests/test_lectures.py tests/test_authoring.py tests/test_exercises.py \
	  tests/test_assignments.py -k "$(L) and not nbgrader_grades"

# ---- the instructor's kit ----------------------------------------------------------
# Every lecture as a reveal.js deck, offline: build/slides/{uk,en}/NN_name.slides.html
# (tests/browser/test_slides.py builds and opens lecture 04's on its own).
slides: $(STAMP) $(NPM_STAMP)
	$(PY) tools/build_slides.py build/slides

# Every lecture page of the site printed by Chromium to an A4 PDF: build/handouts/{uk,en}/
# (tests/browser/test_handouts.py prints and reads lecture 04's on its own).
handouts: site chromium
	$(PY) tools/build_handouts.py --site build/site --out build/handouts

INSTRUCTOR_VENV := build/instructor-venv

# nbgrader in a virtual environment of its own: its server and lab extensions would
# change the JupyterLab that students (and tests/browser) use from .venv. It is layered
# on .venv (a .pth file adds .venv's packages, nbconvert's templates are linked), so it
# installs only nbgrader and its few own dependencies (15 s of CPU, mostly pip).
$(INSTRUCTOR_VENV)/.installed: $(STAMP)
	rm -rf $(INSTRUCTOR_VENV)
	$(PY) -m venv $(INSTRUCTOR_VENV)
	$(PY) -c "import site; print(site.getsitepackages()[0])" > \
	  "$$($(INSTRUCTOR_VENV)/bin/python -c 'import site; print(site.getsitepackages()[0])')/zz-dotvenv.pth"
	$(INSTRUCTOR_VENV)/bin/python -m pip install --quiet -e '.[instructor]'
	mkdir -p $(INSTRUCTOR_VENV)/share/jupyter
	ln -sfn $(abspath $(VENV))/share/jupyter/nbconvert $(INSTRUCTOR_VENV)/share/jupyter/nbconvert
	touch $@

# nbgrader courses in build/assignments/{uk,en}: source/ (with solutions and hidden
# tests) and release/ (what students get). See lectures/README.md, "Grading with nbgrader".
assignments: $(INSTRUCTOR_VENV)/.installed
	$(INSTRUCTOR_VENV)/bin/python tools/build_assignments.py --out build/assignments

# nbgrader grades two fake submissions of lecture 02 end to end.
grading: $(STAMP) $(INSTRUCTOR_VENV)/.installed
	NBGRADER_PYTHON=$(INSTRUCTOR_VENV)/bin/python $(PYTEST) tests/test_assignments.py \
	  -k test_nbgrader_grades_two_submissions

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run.py $(BENCH)
	$(PY) benchmarks/drawing.py
	$(PY) benchmarks/player.py
	$(PY) benchmarks/jit.py $(BENCH)

# Re-vendor Graphviz in WebAssembly (npm's @hpcc-js/wasm-graphviz) into the package;
# the result is committed, so only a maintainer updating it needs npm.
vendor:
	tools/vendor-graphviz.sh $(GRAPHVIZ_WASM_VERSION)

clean:
	rm -rf $(VENV) build *.egg-info
