"""GitSource: checks out exactly one commit of a repository with the git CLI (shallow), for ``https://``,
``ssh://``, ``git@`` and ``file://`` URLs, with a size limit and errors that say what went wrong."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from starbase.errors import Invalid, PayloadTooLarge
from starbase.ports import BuildLog

GIT_TIMEOUT_S = 300
DEFAULT_LIMIT_MB = 512


class GitSource:
    def __init__(self, *, size_limit_mb: int = DEFAULT_LIMIT_MB) -> None:
        self._limit = size_limit_mb * 1024 * 1024

    def fetch(self, *, url: str, ref: str, dest: Path, log: BuildLog) -> str:
        dest.mkdir(parents=True, exist_ok=True)
        log.write(f"fetching {ref} from {url}", stage="cloning")
        self._git(["init", "-q", str(dest)], dest.parent, url)
        try:
            self._git(["fetch", "--depth", "1", "--no-tags", "--quiet", url, ref], dest, url)
        except Invalid as e:
            if "couldn't find remote ref" in e.message or "not our ref" in e.message or "unadvertised" in e.message:
                raise Invalid(f"branch or commit {ref!r} not found in {url}", field="ref") from e
            raise
        self._git(["checkout", "--quiet", "--detach", "FETCH_HEAD"], dest, url)
        sha = self._git(["rev-parse", "HEAD"], dest, url).strip()
        size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file() and ".git" not in p.parts)
        if size > self._limit:
            raise PayloadTooLarge(
                f"the repository is {size // (1024 * 1024)} MB, over the limit of {self._limit // (1024 * 1024)} MB",
                field="repo_url",
            )
        log.write(f"checked out {sha[:12]} ({size // 1024} KiB)", stage="cloning")
        return sha

    def _git(self, args: list[str], cwd: Path, url: str) -> str:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}
        try:
            done = subprocess.run(
                ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=GIT_TIMEOUT_S
            )
        except subprocess.TimeoutExpired as e:
            raise Invalid(f"git timed out after {GIT_TIMEOUT_S} s reading {url}", field="repo_url") from e
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise Invalid(f"could not read the repository {url}: {detail}", field="repo_url")
        return done.stdout
