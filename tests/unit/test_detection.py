"""Golden tests of build detection over the sample repositories in tests/fixtures/apps."""

from __future__ import annotations

from pathlib import Path

import pytest

from starbase.services.detection import UnsupportedRepo, detect

APPS = Path(__file__).resolve().parents[1] / "fixtures" / "apps"
PY = ".venv/bin/python"

GOLDEN = {
    "flask": ("python/flask (pip)", f"{PY} -m gunicorn app:app --bind 0.0.0.0:$PORT"),
    "fastapi-pyproject": ("python/fastapi (pip)", f"{PY} -m uvicorn main:app --host 0.0.0.0 --port $PORT"),
    "django": (
        "python/django (pip)",
        f"{PY} manage.py migrate --noinput && {PY} -m gunicorn mysite.wsgi --bind 0.0.0.0:$PORT",
    ),
    "poetry": ("python/flask (poetry)", f"{PY} -m gunicorn wsgi:app --bind 0.0.0.0:$PORT"),
    "pipfile": ("python/fastapi (pipenv)", f"{PY} -m uvicorn server:app --host 0.0.0.0 --port $PORT"),
    "node-express": ("node (npm)", "npm run start"),
    "pnpm": ("node (pnpm)", "npx --yes pnpm run start"),
    "yarn": ("node (yarn)", "npx --yes yarn run start"),
    "next": ("node/next (npm)", "npm run start -- -p $PORT"),
    "vite": ("node/vite (npm)", ""),
    "go-api": ("go", "./.starform-bin"),
    "static": ("static", ""),
    "procfile-only": ("procfile", "python3 -m http.server $PORT --bind 0.0.0.0"),
    "dockerfile": ("dockerfile", ""),
}


@pytest.mark.parametrize("app", sorted(GOLDEN))
def test_detection_matches_the_golden_plan(app: str) -> None:
    plan = detect(APPS / app)
    assert (plan.provider, plan.start) == GOLDEN[app]


def test_python_plans_install_into_a_virtualenv() -> None:
    plan = detect(APPS / "flask")
    assert plan.install[0] == "python3 -m venv .venv"
    assert plan.install[1].endswith("-r requirements.txt")
    assert any("gunicorn" in step for step in plan.install)  # the server the start command needs


def test_node_uses_the_lockfile_manager_and_builds() -> None:
    plan = detect(APPS / "vite")
    assert plan.install == ["npm ci --no-audit --no-fund"]
    assert plan.build == ["npm run build"]
    assert plan.static_dir == "dist"


def test_a_procfile_overrides_the_start_command(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("app = None\n")
    (tmp_path / "Procfile").write_text("release: echo hi\nweb: .venv/bin/python -m waitress app:app\n")
    assert detect(tmp_path).start == ".venv/bin/python -m waitress app:app"


def test_an_unsupported_repo_says_what_was_looked_for() -> None:
    with pytest.raises(UnsupportedRepo) as info:
        detect(APPS / "nothing")
    assert "requirements.txt" in info.value.message and "Procfile" in info.value.message


def test_an_app_without_a_start_command_says_how_to_add_one() -> None:
    with pytest.raises(UnsupportedRepo, match="Procfile"):
        detect(APPS / "python-no-start")


def test_lockfiles_choose_the_package_manager_and_builds_run() -> None:
    assert detect(APPS / "pnpm").install == ["npx --yes pnpm install --frozen-lockfile"]
    assert detect(APPS / "yarn").build == ["npx --yes yarn run build"]
    assert detect(APPS / "next").build == ["npm run build"]
