"""Build detection, Railpack-style: ordered providers look at a checked-out source tree, the first that
matches decides the build plan (install, build and start commands, port, health path). A root
``Dockerfile`` wins over everything; a ``Procfile``'s ``web:`` line overrides the start command. A tree
no provider understands fails with what was looked for and how to fix it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from starbase.errors import Invalid
from starbase.ports import BuildPlan

PY = ".venv/bin/python"
Provider = Callable[[Path], BuildPlan | None]


class UnsupportedRepo(Invalid):
    """Nothing in the repository says how to build it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="repo")


def detect(root: Path, *, start_override: str | None = None) -> BuildPlan:
    for provider in PROVIDERS:
        plan = provider(root)
        if plan is not None:
            start = start_override or procfile_web(root) or plan.start
            if not start and plan.static_dir is None and plan.provider != "dockerfile":
                raise UnsupportedRepo(
                    f"found a {plan.provider} app but no way to start it: add a Procfile with "
                    "'web: <command>' or set the app's start command"
                )
            return BuildPlan(
                plan.provider, plan.install, plan.build, start, plan.port, plan.health_path, plan.static_dir
            )
    raise UnsupportedRepo(
        "could not tell how to build this repository: looked for a Dockerfile, requirements.txt, pyproject.toml, "
        "Pipfile, package.json, go.mod and index.html at its root. Add one of them, or a Procfile with "
        "'web: <command>'"
    )


def procfile_web(root: Path) -> str | None:
    path = root / "Procfile"
    if not path.is_file():
        return None
    for line in path.read_text(errors="replace").splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == "web" and command.strip():
            return command.strip()
    return None


def _dockerfile(root: Path) -> BuildPlan | None:
    return BuildPlan("dockerfile") if (root / "Dockerfile").is_file() else None


def _python_deps(root: Path) -> tuple[str, list[str]] | None:
    """(installer, install commands) for the first Python dependency file found."""
    pip = f"{PY} -m pip install --disable-pip-version-check"
    if (root / "requirements.txt").is_file():
        return "pip", [f"{pip} -r requirements.txt"]
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        if (root / "uv.lock").is_file():
            return "uv", [f"{pip} uv", f"{PY} -m uv pip install --python {PY} -r pyproject.toml", f"{pip} --no-deps ."]
        if (root / "poetry.lock").is_file():
            return "poetry", [f"{pip} ."]
        return "pip", [f"{pip} ."]
    if (root / "Pipfile").is_file():
        return "pipenv", [
            f"{pip} pipenv",
            f"{PY} -m pipenv requirements > .starform-requirements.txt",
            f"{pip} -r .starform-requirements.txt",
        ]
    return None


def _python_text(root: Path) -> str:
    parts = []
    for name in ("requirements.txt", "pyproject.toml", "Pipfile"):
        if (root / name).is_file():
            parts.append((root / name).read_text(errors="replace").lower())
    return "\n".join(parts)


def _python(root: Path) -> BuildPlan | None:
    deps = _python_deps(root)
    if deps is None:
        return None
    installer, install = deps
    text = _python_text(root)
    venv = ["python3 -m venv .venv", *install]
    if (root / "manage.py").is_file() and "django" in text:
        project = _django_project(root)
        extra = [] if "gunicorn" in text else [f"{PY} -m pip install --disable-pip-version-check gunicorn"]
        return BuildPlan(
            f"python/django ({installer})",
            [*venv, *extra],
            [],
            f"{PY} manage.py migrate --noinput && {PY} -m gunicorn {project}.wsgi --bind 0.0.0.0:$PORT",
        )
    module = _find_module(root, ("app.py", "main.py", "wsgi.py", "asgi.py", "server.py"))
    if "fastapi" in text:
        extra = [] if "uvicorn" in text else [f"{PY} -m pip install --disable-pip-version-check uvicorn"]
        target = f"{module}:app" if module else "main:app"
        return BuildPlan(
            f"python/fastapi ({installer})",
            [*venv, *extra],
            [],
            f"{PY} -m uvicorn {target} --host 0.0.0.0 --port $PORT",
        )
    if "flask" in text:
        extra = [] if "gunicorn" in text else [f"{PY} -m pip install --disable-pip-version-check gunicorn"]
        target = f"{module}:app" if module else "app:app"
        return BuildPlan(
            f"python/flask ({installer})", [*venv, *extra], [], f"{PY} -m gunicorn {target} --bind 0.0.0.0:$PORT"
        )
    start = f"{PY} main.py" if (root / "main.py").is_file() else ""
    return BuildPlan(f"python ({installer})", venv, [], start)


def _django_project(root: Path) -> str:
    for settings in sorted(root.glob("*/settings.py")):
        if (settings.parent / "wsgi.py").is_file():
            return settings.parent.name
    match = re.search(r"DJANGO_SETTINGS_MODULE['\"],\s*['\"](\w+)\.settings", (root / "manage.py").read_text())
    return match.group(1) if match else "config"


def _find_module(root: Path, names: tuple[str, ...]) -> str | None:
    for name in names:
        if (root / name).is_file() and re.search(r"^app\s*=", (root / name).read_text(errors="replace"), re.M):
            return name.removesuffix(".py")
    return None


def _node(root: Path) -> BuildPlan | None:
    path = root / "package.json"
    if not path.is_file():
        return None
    try:
        package = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise UnsupportedRepo(f"package.json is not valid JSON: {e}") from e
    scripts = package.get("scripts", {}) if isinstance(package, dict) else {}
    deps = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    if (root / "pnpm-lock.yaml").is_file():
        manager, install, run = "pnpm", ["npx --yes pnpm install --frozen-lockfile"], "npx --yes pnpm run"
    elif (root / "yarn.lock").is_file():
        manager, install, run = "yarn", ["npx --yes yarn install --frozen-lockfile"], "npx --yes yarn run"
    elif (root / "package-lock.json").is_file():
        manager, install, run = "npm", ["npm ci --no-audit --no-fund"], "npm run"
    else:
        manager, install, run = "npm", ["npm install --no-audit --no-fund"], "npm run"
    framework = "next" if "next" in deps else "vite" if "vite" in deps else None
    build = [f"{run} build"] if "build" in scripts else []
    if framework == "vite" and "start" not in scripts:
        return BuildPlan(f"node/vite ({manager})", install, build, "", static_dir="dist")
    start = f"{run} start" if "start" in scripts else ("node index.js" if (root / "index.js").is_file() else "")
    if framework == "next" and start:
        start = f"{start} -- -p $PORT"
    return BuildPlan(f"node{'/' + framework if framework else ''} ({manager})", install, build, start)


def _go(root: Path) -> BuildPlan | None:
    if not (root / "go.mod").is_file():
        return None
    return BuildPlan("go", ["go mod download"], ["CGO_ENABLED=0 go build -o .starform-bin ."], "./.starform-bin")


def _static(root: Path) -> BuildPlan | None:
    for folder in ("", "public", "dist", "site"):
        if (root / folder / "index.html").is_file():
            return BuildPlan("static", static_dir=folder or ".")
    return None


def _procfile(root: Path) -> BuildPlan | None:
    """A repository with nothing but a Procfile: run its ``web:`` command as it is."""
    command = procfile_web(root)
    return BuildPlan("procfile", start=command) if command else None


PROVIDERS: tuple[Provider, ...] = (_dockerfile, _python, _node, _go, _procfile, _static)
