# Alignment Concepts. Two commands on a fresh machine:
#   make site   install what the build needs, build everything a reader sees into output/
#   make test   the same set-up plus test tools, then the whole test suite
# Each step is skipped when already done. Pagefind (the search index) comes from npm
# (package-lock.json): its npm releases are newer than PyPI's.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-$(shell sha256sum $(LOCK) 2>/dev/null | cut -c1-16)
APT_TEX := texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended lmodern
APT_TEST := chromium poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test serve publish check figures papers clean venv tex browser node help

help:
	@echo "make site    build the site (output/), papers' PDFs and arXiv bundles included"
	@echo "make test    run the whole test suite"
	@echo "make serve   preview with live reload on http://127.0.0.1:8000"

venv: $(STAMP)
$(STAMP): $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	@rm -f $(VENV)/.installed-*; touch $@

tex:
	@command -v pdflatex >/dev/null 2>&1 && kpsewhich natbib.sty >/dev/null 2>&1 && kpsewhich microtype.sty >/dev/null 2>&1 && kpsewhich framed.sty >/dev/null 2>&1 || \
	  { echo "installing TeX Live through apt"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_TEX) >/dev/null; }

browser:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || \
	  { echo "installing Chromium and poppler through apt"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_TEST) >/dev/null; }

node: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "installing Node.js through apt"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --silent

site: venv node tex
	$(PY) build.py build

publish: venv node tex
	$(PY) build.py build --settings publishconf.py

serve: venv node
	$(PY) build.py serve

check: venv
	$(PY) build.py check

figures: venv
	$(PY) build.py figures

papers: venv tex
	$(PY) build.py papers

test: venv tex browser node
	$(PY) -m pytest -q -n 2 --dist loadgroup tests
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

clean:
	$(PY) build.py clean
