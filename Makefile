# The two commands: `make run` runs the product, `make test` runs every test.
# Each sets up a fresh machine by itself: Debian packages, then the virtualenv in .venv/.

VENV := .venv
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := libmtdev1 libzbar0 xvfb xauth fonts-noto-core chromium chromium-driver
XVFB := xvfb-run -a -s "-screen 0 1080x1920x24"

.PHONY: run test setup system-packages lint format clean

run: setup
	$(VENV)/bin/station demo

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(if $(DISPLAY),,$(XVFB)) $(VENV)/bin/pytest $(PYTEST_ARGS)

setup: system-packages $(STAMP)

system-packages:
	@scripts/ensure-debian-packages.sh $(DEBIAN_PACKAGES)

$(STAMP): pyproject.toml
	rm -rf $(VENV)
	"$$(scripts/find-python.sh)" -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip "setuptools<82" wheel
	$(VENV)/bin/pip install -q -e ".[dev]"
	$(VENV)/bin/pip install -q --no-deps "face-recognition==1.3.0"
	touch $(STAMP)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var
