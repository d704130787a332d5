"""A Starbase with the real builder on a temporary data dir, and sample apps turned into local git repos."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from starbase.adapters import migrations
from starbase.bootstrap import Starbase, bootstrap
from starbase.config import load_settings
from starbase.models import Build, Job
from starbase.ports import Clock
from starbase.services import build_runner, builds, clusters, jobqueue, workspaces
from starbase.services.access import SYSTEM, Principal
from starbase.services.apps import create_app
from starbase.services.auth import authenticate
from starbase.services.dto import AppCreate, BuildPublic, ClusterRegister

APPS = Path(__file__).resolve().parents[1] / "fixtures" / "apps"


def git_repo(sample: str, where: Path) -> str:
    """Copy a sample app into a fresh git repository with one commit on ``main``; return its file:// URL."""
    repo = where / sample
    shutil.copytree(APPS / sample, repo)
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "initial"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    return f"file://{repo}"


@dataclass
class BuildWorld:
    sb: Starbase
    principal: Principal
    tmp: Path

    def app(self, name: str, sample: str, **extra: object) -> None:
        create_app(
            uow=self.sb.uow,
            clock=self.sb.clock,
            principal=self.principal,
            workspace="acme",
            body=AppCreate(name=name, repo_url=git_repo(sample, self.tmp / "repos"), **extra),  # type: ignore[arg-type]
            apps_domain="localhost",
        )

    def start(self, app: str, ref: str | None = None) -> BuildPublic:
        return builds.start_build(
            uow=self.sb.uow,
            clock=self.sb.clock,
            logs=self.sb.logs,
            principal=self.principal,
            workspace="acme",
            app=app,
            ref=ref,
        )

    def work_one(self, owner: str = "test-worker", clock: Clock | None = None) -> str:
        clock = clock or self.sb.clock
        job = jobqueue.lease(uow=self.sb.uow, clock=clock, owner=owner, kinds=(builds.BUILD_JOB,))
        assert job is not None, "a job is queued"
        return build_runner.run_build_job(
            uow=self.sb.uow,
            clock=clock,
            box=self.sb.secrets,
            logs=self.sb.logs,
            source=self.sb.source,
            builder=self.sb.builder,
            work_root=self.sb.work_root,
            job=job,
            owner=owner,
            apps_domain="localhost",
        ).value

    def build(self, build_id: object) -> BuildPublic:
        return builds.get_build(uow=self.sb.uow, principal=self.principal, build_id=build_id)  # type: ignore[arg-type]

    def log(self, build_id: object) -> str:
        _, lines = builds.build_logs(
            uow=self.sb.uow, logs=self.sb.logs, principal=self.principal, build_id=build_id, limit=5000
        )  # type: ignore[arg-type]
        return "\n".join(item.line.line for item in lines)

    def rows(self, build_id: object) -> tuple[Build, Job]:
        with self.sb.uow as uow:
            build = uow.session.get(Build, build_id)
            job = uow.session.get(Job, build.job_id)  # type: ignore[union-attr]
            uow.session.expunge_all()  # keep the loaded values past the block's rollback
            return build, job  # type: ignore[return-value]


def make_world(tmp: Path, clock: Clock | None = None) -> BuildWorld:
    settings = load_settings(data_dir=tmp / "data")
    (tmp / "data").mkdir(parents=True)
    migrations.upgrade(settings.resolved_database_url)
    sb = bootstrap(settings, clock=clock)
    clusters.register_cluster(
        uow=sb.uow,
        clock=sb.clock,
        principal=SYSTEM,
        workspace=None,
        body=ClusterRegister(name="local", region="local", kind="local"),
    )
    token = workspaces.admin_create_token(uow=sb.uow, clock=sb.clock, workspace="acme", role="owner").token
    principal = authenticate(uow=sb.uow, clock=sb.clock, bearer=token, session_token=None)
    return BuildWorld(sb=sb, principal=principal, tmp=tmp)
