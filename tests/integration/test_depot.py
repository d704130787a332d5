"""DepotBuildService against a local server that speaks Depot's Connect API (HTTP/JSON): one project per
workspace, a build token per build, FinishBuild with the outcome, the image digest as the artifact."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from starbase.adapters.depot import DepotBuildService
from starbase.adapters.steps import BuildFailed
from starbase.ports import BuildRequest
from starbase.services.detection import detect
from tests.depot_server import DepotServer

APPS = Path(__file__).resolve().parents[1] / "fixtures" / "apps"
CLI = Path(__file__).resolve().parents[1] / "fixtures" / "bin" / "depot"


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, line: str, *, stage: str) -> None:
        self.lines.append(line)


@pytest.fixture
def depot() -> Iterator[DepotServer]:
    with DepotServer("org-token") as server:
        yield server


def service(depot: DepotServer, token: str = "org-token") -> DepotBuildService:
    return DepotBuildService(token=token, api_url=depot.url, cli=str(CLI), image_repository="registry.test/apps")


def request(tmp: Path, sample: str, workspace: str = "acme") -> BuildRequest:
    source = tmp / uuid.uuid4().hex / "src"
    shutil.copytree(APPS / sample, source)
    return BuildRequest(
        build_id=uuid.uuid4(),
        workspace=workspace,
        app="web",
        source_dir=source,
        commit_sha="abcdef1234567890" * 2 + "abcdefgh",
        plan=detect(source),
    )


def test_a_build_runs_on_depot_and_its_image_digest_is_the_artifact(depot: DepotServer, tmp_path: Path) -> None:
    log = Log()
    artifact = service(depot).build(request(tmp_path, "flask"), log)
    assert artifact.kind == "image"
    assert artifact.ref.startswith("registry.test/apps/acme-web:abcdef123456@sha256:")
    assert artifact.ref.endswith(artifact.digest)
    assert [p["name"] for p in depot.projects.values()] == ["starform-acme"]
    [build] = depot.builds.values()
    assert build["result"] == {"success": {}}
    assert any("generated Dockerfile.starform" in line for line in log.lines)
    assert any(line.startswith("#1 FROM python:3.12-slim") for line in log.lines)


def test_one_project_per_workspace_reused_across_builds(depot: DepotServer, tmp_path: Path) -> None:
    builder = service(depot)
    builder.build(request(tmp_path, "flask"), Log())
    builder.build(request(tmp_path, "node-express"), Log())
    fresh = service(depot)  # another process finds the project instead of creating a second one
    fresh.build(request(tmp_path, "flask"), Log())
    service(depot).build(request(tmp_path, "flask", workspace="other"), Log())
    assert sorted(p["name"] for p in depot.projects.values()) == ["starform-acme", "starform-other"]
    assert depot.calls.count("CreateProject") == 2


def test_a_failing_step_finishes_the_depot_build_with_the_error(depot: DepotServer, tmp_path: Path) -> None:
    build = request(tmp_path, "dockerfile")
    (build.source_dir / "Dockerfile").write_text("FROM python:3.12-slim\nRUN exit 1\n")
    with pytest.raises(BuildFailed, match="depot build"):
        service(depot).build(build, Log())
    [recorded] = depot.builds.values()
    assert "error" in recorded["result"]


def test_a_bad_token_says_which_setting_to_check(depot: DepotServer, tmp_path: Path) -> None:
    with pytest.raises(BuildFailed, match="STARFORM_DEPOT_TOKEN"):
        service(depot, token="wrong").build(request(tmp_path, "flask"), Log())
