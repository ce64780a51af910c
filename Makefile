# phocap — two commands set up everything: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-stamp
DEV_ENV := DEBUG=1

.PHONY: install run test lint clean demo worker

install: $(STAMP)

# Re-installs only when pyproject.toml changes, so a second `make install` is instant.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	@echo ""
	@echo "  phocap: http://127.0.0.1:$(PORT)/"
	@echo "  Logins (password phocap-demo):"
	@echo "    demo_tinh     cán bộ tỉnh Bắc Kạn (province staff)"
	@echo "    demo_huyen    cán bộ huyện Na Rì (district officer)"
	@echo "    demo_xa       cán bộ xã Côn Minh (commune official)"
	@echo "    demo_kiemtra  kiểm tra, chỉ xem (auditor)"
	@echo "    demo_tn_tinh  cán bộ tỉnh Thái Nguyên, đơn vị mới (province staff, 2025 units)"
	@echo "    demo_tn_xa    cán bộ xã Côn Minh, đơn vị mới (commune official, 2025 units)"
	@echo "    demo_admin    quản trị hệ thống (superuser, /admin/)"
	@echo ""
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	@# The English catalogue must hold every message of the code, compiled.
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l en --no-location --no-obsolete \
	  --ignore=.venv --ignore=scripts --ignore=tests --ignore=staticfiles >/dev/null
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv >/dev/null
	git diff --exit-code -I POT-Creation-Date -- locale

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles
