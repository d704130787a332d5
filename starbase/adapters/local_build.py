"""LocalBuildService: embedded mode's builder. Runs the plan's install and build commands for real in the
checked-out tree (a virtualenv with pip from the registry, ``npm ci``, ``go build``), each in its own process
group whose output streams line by line to the build log, then packs the tree into a deterministic slug
(tar.gz) stored by content. Installed dependencies are cached per app, keyed by the dependency files, so a
rebuild with unchanged dependencies skips the install. ``cancel`` kills a running build's process group."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tarfile
import uuid
from pathlib import Path

from starbase.adapters.steps import BuildFailed, StepRunner
from starbase.contracts import Artifact
from starbase.ports import ArtifactStore, BuildLog, BuildRequest

DEPENDENCY_FILES = (
    "requirements.txt",
    "pyproject.toml",
    "uv.lock",
    "poetry.lock",
    "Pipfile",
    "Pipfile.lock",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.mod",
    "go.sum",
)
CACHED_DIRS = (".venv", "node_modules")


class LocalBuildService:
    def __init__(self, *, work_root: Path, cache_root: Path, artifacts: ArtifactStore) -> None:
        self._work_root, self._cache_root, self._artifacts = work_root, cache_root, artifacts
        self._steps = StepRunner()

    def build(self, request: BuildRequest, log: BuildLog) -> Artifact:
        plan, root = request.plan, request.source_dir
        if plan.provider == "dockerfile":
            raise BuildFailed(
                "this repository builds from its Dockerfile, which needs the Depot builder "
                "(STARFORM_BUILDER=depot); embedded mode builds without Docker. Remove the Dockerfile "
                "to let Starform detect the framework instead."
            )
        cache = self._cache_root / request.workspace / request.app
        key = _dependency_key(root, list(plan.install))
        if plan.install and self._restore(cache, key, root):
            log.write(f"dependencies unchanged: reusing the cache ({key[:12]})", stage="building")
        else:
            for command in plan.install:
                self._run(request, command, root, log, cache)
            if plan.install:
                self._save(cache, key, root)
        for command in plan.build:
            self._run(request, command, root, log, cache)
        log.write("packing the slug", stage="uploading")
        slug = self._work_root / f"{request.build_id}.tar.gz"
        _pack(root, slug)
        digest = self._artifacts.put(slug)
        slug.unlink(missing_ok=True)
        log.write(f"slug {digest} ({self._artifacts.open(digest).stat().st_size // 1024} KiB)", stage="uploading")
        return Artifact(kind="slug", ref=f"slug/{digest.removeprefix('sha256:')}.tar.gz", digest=digest)

    def cancel(self, build_id: uuid.UUID) -> None:
        self._steps.cancel(build_id)

    def _run(self, request: BuildRequest, command: str, cwd: Path, log: BuildLog, cache: Path) -> None:
        log.write(f"$ {command}", stage="building")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(cache / "home"),
            "LANG": "C.UTF-8",
            "PIP_CACHE_DIR": str(cache / "pip"),
            "npm_config_cache": str(cache / "npm"),
            "GOPATH": str(cache / "go"),
            "GOCACHE": str(cache / "go-build"),
            "CI": "true",
            "PIP_INDEX_URL": os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple"),
            "NPM_CONFIG_REGISTRY": os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org"),
            **request.env,
        }
        (cache / "home").mkdir(parents=True, exist_ok=True)
        self._steps.run(
            request.build_id, ["bash", "-c", command], cwd=cwd, env=env, log=log, stage="building", describe=command
        )

    def _restore(self, cache: Path, key: str, root: Path) -> bool:
        saved = cache / f"deps-{key}"
        if not saved.is_dir():
            return False
        for name in CACHED_DIRS:
            if (saved / name).exists():
                shutil.copytree(saved / name, root / name, symlinks=True, dirs_exist_ok=True)
        return True

    def _save(self, cache: Path, key: str, root: Path) -> None:
        tmp = cache / f".deps-{key}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name in CACHED_DIRS:
            if (root / name).exists():
                shutil.copytree(root / name, tmp / name, symlinks=True)
        for old in cache.glob("deps-*"):  # keep one entry per app: the newest dependencies
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(cache / f"deps-{key}")


def _dependency_key(root: Path, install: list[str]) -> str:
    sha = hashlib.sha256("\n".join(install).encode())
    for name in DEPENDENCY_FILES:
        if (root / name).is_file():
            sha.update(name.encode() + b"\0" + (root / name).read_bytes())
    return sha.hexdigest()


def _pack(root: Path, target: Path) -> None:
    """A deterministic tar.gz: sorted entries, fixed owner and times, no .git."""

    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if info.name.split("/")[0] == ".git" or "/.git/" in info.name:
            return None
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = 0
        return info

    target.parent.mkdir(parents=True, exist_ok=True)
    # level 1: packing a virtualenv at level 6 took twice as long for ~15% less size (bench/build_overhead.py)
    with gzip.GzipFile(target, "wb", compresslevel=1, mtime=0) as packed, tarfile.open(fileobj=packed, mode="w") as tar:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if relative.parts[0] == ".git":
                continue
            tar.add(path, arcname=str(relative), recursive=False, filter=clean)
