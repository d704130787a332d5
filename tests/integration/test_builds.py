"""Real builds of sample apps from local git repositories, end to end: clone, detect, install for real,
pack a slug, release; the slug then runs. Failures each end in the right state with a readable message."""

from __future__ import annotations

import os
import signal
import subprocess
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from starbase.adapters.git_source import GitSource
from starbase.errors import PayloadTooLarge
from starbase.models import Build, Cluster
from starbase.services import releases
from starbase.services.apps import update_app
from starbase.services.builds import cancel_build
from starbase.services.desired_state import compile_state
from starbase.services.dto import AppUpdate
from tests.integration.builds_world import BuildWorld, git_repo, make_world
from tests.servers import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path) -> Iterator[BuildWorld]:
    built = make_world(tmp_path)
    yield built
    built.sb.close()


def run_slug(world: BuildWorld, app: str, tmp: Path) -> Iterator[str]:
    """Unpack the current release's slug and start its command, as the local runtime will."""
    [release] = [
        r
        for r in releases.list_releases(uow=world.sb.uow, principal=world.principal, workspace="acme", app=app)
        if r.current
    ]
    slug = world.sb.artifacts.open(release.artifact_digest)  # type: ignore[arg-type]
    target = tmp / f"run-{app}"
    with tarfile.open(slug) as tar:
        tar.extractall(target, filter="tar")
    return target  # type: ignore[return-value]


def serve(directory: Path, command: list[str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        command,
        cwd=directory,
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                yield httpx.get(f"http://127.0.0.1:{port}/", timeout=2).text
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the built app never answered")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def command_of(world: BuildWorld, app: str) -> list[str]:

    with world.sb.uow as uow:
        cluster = uow.session.exec(__import__("sqlmodel").select(Cluster)).first()
        state = compile_state(uow, world.sb.secrets, cluster, apps_domain="localhost")
    return next(w.command for w in state.workloads if w.app == app)


@pytest.mark.parametrize(
    ("sample", "answer"),
    [
        ("flask", "hello from flask"),
        ("fastapi-pyproject", '{"hello":"fastapi"}'),
        ("node-express", "hello from express"),
        ("procfile-only", "hello from procfile"),
    ],
)
def test_sample_apps_build_release_and_run(world: BuildWorld, tmp_path: Path, sample: str, answer: str) -> None:
    world.app("web", sample)
    build = world.start("web")
    assert world.work_one() == "succeeded", world.log(build.id)
    done = world.build(build.id)
    assert done.release == "v1" and done.commit_sha and len(done.commit_sha) == 40
    assert done.plan and done.plan["provider"]
    log = world.log(build.id)
    for stage in ("--> cloning", "--> detecting", "--> building", "--> uploading", "--> succeeded"):
        assert stage in log
    directory = run_slug(world, "web", tmp_path)
    text = "".join(serve(directory, command_of(world, "web")))
    assert answer.replace(" ", "") in text.replace(" ", "")


def test_a_static_site_is_packed_for_the_file_server(world: BuildWorld) -> None:
    world.app("site", "static")
    build = world.start("site")
    assert world.work_one() == "succeeded", world.log(build.id)
    assert world.build(build.id).plan["static_dir"] == "."  # type: ignore[index]


def test_a_rebuild_with_unchanged_dependencies_reuses_the_cache(world: BuildWorld) -> None:
    world.app("web", "flask")
    first = world.start("web")
    world.work_one()
    second = world.start("web")
    assert world.work_one() == "succeeded"
    assert "reusing the cache" in world.log(second.id)
    assert "pip install" not in world.log(second.id).split("reusing the cache")[1]
    assert world.build(second.id).duration_s < world.build(first.id).duration_s  # type: ignore[operator]


def test_a_failing_install_fails_the_build_with_the_command(world: BuildWorld) -> None:
    world.app("web", "broken-install")
    build = world.start("web")
    assert world.work_one() == "failed"
    done = world.build(build.id)
    assert "pip install" in done.error and "exited with code 1" in done.error  # type: ignore[operator]
    assert "no-such-package-for-starform-tests" in world.log(build.id)
    assert done.release is None


def test_an_app_without_a_start_command_fails_detection_clearly(world: BuildWorld) -> None:
    world.app("web", "python-no-start")
    build = world.start("web")
    assert world.work_one() == "failed"
    assert "Procfile" in world.build(build.id).error  # type: ignore[operator]


def test_an_unreachable_repo_and_a_missing_ref_fail_clearly(world: BuildWorld) -> None:
    world.app("web", "flask")
    missing = world.start("web", ref="no-such-branch")
    assert world.work_one() == "failed"
    assert "'no-such-branch' not found" in world.build(missing.id).error  # type: ignore[operator]
    update_app(
        uow=world.sb.uow,
        clock=world.sb.clock,
        principal=world.principal,
        workspace="acme",
        name="web",
        body=AppUpdate(repo_url="file:///nowhere/at/all.git"),
        apps_domain="localhost",
    )
    gone = world.start("web")
    assert world.work_one() == "failed"
    assert "could not read the repository file:///nowhere/at/all.git" in world.build(gone.id).error  # type: ignore[operator]


def _sleepers() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["cmdline"]) if "47.25" in " ".join(p.info["cmdline"] or [])]


def test_cancelling_a_running_build_kills_its_processes(world: BuildWorld) -> None:
    world.app("slow", "slow")
    build = world.start("slow")
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(world.work_one()))
    worker.start()
    deadline = time.monotonic() + 60
    while not _sleepers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sleepers(), "the slow build step started"
    cancel_build(
        uow=world.sb.uow, clock=world.sb.clock, logs=world.sb.logs, principal=world.principal, build_id=build.id
    )
    worker.join(timeout=30)
    assert result == ["cancelled"]
    assert _sleepers() == []
    assert "cancelled" in world.build(build.id).error  # type: ignore[operator]


def test_a_build_that_runs_out_of_time_is_stopped(world: BuildWorld) -> None:
    world.app("slow", "slow")
    build = world.start("slow")
    with world.sb.uow as uow:
        uow.session.get(Build, build.id).timeout_s = 3  # type: ignore[union-attr]
        uow.commit()
    assert world.work_one() == "timed_out"
    assert "ran out of time" in world.build(build.id).error  # type: ignore[operator]
    assert _sleepers() == []


def test_a_dockerfile_repo_needs_the_depot_builder_in_embedded_mode(world: BuildWorld) -> None:
    world.app("web", "dockerfile")
    build = world.start("web")
    assert world.work_one() == "failed"
    assert "needs the Depot builder" in world.build(build.id).error  # type: ignore[operator]


def test_a_repository_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    class Log:
        def write(self, line: str, *, stage: str) -> None:
            pass

    url = git_repo("flask", tmp_path)
    with pytest.raises(PayloadTooLarge, match="over the limit of 0 MB"):
        GitSource(size_limit_mb=0).fetch(url=url, ref="main", dest=tmp_path / "checkout", log=Log())


def test_a_build_checks_out_the_exact_commit_asked_for(world: BuildWorld, tmp_path: Path) -> None:
    url = git_repo("static", tmp_path / "exact")
    repo = Path(url.removeprefix("file://"))
    first = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    (repo / "index.html").write_text("<h1>second</h1>")
    for args in (["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "second"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    from starbase.services.apps import create_app as create
    from starbase.services.dto import AppCreate

    create(
        uow=world.sb.uow,
        clock=world.sb.clock,
        principal=world.principal,
        workspace="acme",
        body=AppCreate(name="pinned", repo_url=url),
        apps_domain="localhost",
    )
    build = world.start("pinned", ref=first)
    assert world.work_one() == "succeeded", world.log(build.id)
    assert world.build(build.id).commit_sha == first
