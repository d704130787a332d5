"""DepotBuildService: production builds on Depot (remote BuildKit). Through Depot's Connect-RPC API
(HTTP/JSON, httpx) it keeps one Depot project per workspace (cache isolation between tenants), registers
each build (CreateBuild gives a one-time build token), runs the ``depot`` CLI with that token to build and
push the image from the repository's Dockerfile or one generated from the plan, and reports the outcome
(FinishBuild). The pushed image's digest becomes the artifact."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from typing import Any

import httpx

from starbase.adapters.dockerfile import dockerfile_for
from starbase.adapters.steps import BuildFailed, StepRunner
from starbase.contracts import Artifact
from starbase.errors import StarbaseError, UpstreamUnavailable
from starbase.ports import BuildLog, BuildRequest

PROJECTS = "depot.core.v1.ProjectService"
BUILDS = "depot.build.v1.BuildService"
GENERATED = "Dockerfile.starform"


class DepotBuildService:
    def __init__(
        self,
        *,
        token: str,
        image_repository: str,
        api_url: str = "https://api.depot.dev",
        cli: str = "depot",
        region: str = "us-east-1",
        timeout: float = 30,
    ) -> None:
        self._token, self._repository, self._region, self._cli = token, image_repository.rstrip("/"), region, cli
        self._api_url = api_url.rstrip("/")
        self._http = httpx.Client(base_url=self._api_url, timeout=timeout)
        self._steps = StepRunner()
        self._projects: dict[str, str] = {}

    def build(self, request: BuildRequest, log: BuildLog) -> Artifact:
        project = self._project(request.workspace)
        created = self._call(BUILDS, "CreateBuild", {"projectId": project})
        depot_build, build_token = created["buildId"], created["buildToken"]
        log.write(f"Depot build {depot_build} in project {project}", stage="building")
        try:
            artifact = self._run(request, log, project, depot_build, build_token)
        except StarbaseError as e:
            self._finish(depot_build, {"error": {"error": e.message}})
            raise
        self._finish(depot_build, {"success": {}})
        return artifact

    def cancel(self, build_id: uuid.UUID) -> None:
        self._steps.cancel(build_id)

    def _run(self, request: BuildRequest, log: BuildLog, project: str, depot_build: str, build_token: str) -> Artifact:
        source = request.source_dir
        if request.plan.provider == "dockerfile":
            dockerfile = source / "Dockerfile"
        else:
            dockerfile = source / GENERATED
            dockerfile.write_text(dockerfile_for(request.plan))
            log.write(f"generated {GENERATED} from the {request.plan.provider} plan", stage="building")
        image = f"{self._repository}/{request.workspace}-{request.app}:{request.commit_sha[:12]}"
        metadata = source.parent / f"{request.build_id}.metadata.json"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "DEPOT_BUILD_ID": depot_build,
            "DEPOT_TOKEN": build_token,
            "DEPOT_PROJECT_ID": project,
            "DEPOT_API_URL": self._api_url,
        }
        argv = [
            self._cli,
            "build",
            str(source),
            "--project",
            project,
            "-f",
            str(dockerfile),
            "--push",
            "-t",
            image,
            "--metadata-file",
            str(metadata),
            "--progress",
            "plain",
        ]
        self._steps.run(
            request.build_id, argv, cwd=source, env=env, log=log, stage="building", describe=f"depot build ({image})"
        )
        try:
            digest = json.loads(metadata.read_text())["containerimage.digest"]
        except (OSError, ValueError, KeyError) as e:
            raise BuildFailed("depot build finished without reporting the image digest") from e
        log.write(f"pushed {image}@{digest}", stage="uploading")
        return Artifact(kind="image", ref=f"{image}@{digest}", digest=digest)

    def _project(self, workspace: str) -> str:
        name = f"starform-{workspace}"
        if name not in self._projects:
            listed = self._call(PROJECTS, "ListProjects", {}).get("projects", [])
            found = next((p["projectId"] for p in listed if p.get("name") == name), None)
            if found is None:
                created = self._call(
                    PROJECTS,
                    "CreateProject",
                    {"name": name, "regionId": self._region, "cachePolicy": {"keepGb": 50, "keepDays": 14}},
                )
                found = created["project"]["projectId"]
            self._projects[name] = found
        return self._projects[name]

    def _finish(self, depot_build: str, result: dict[str, Any]) -> None:
        with contextlib.suppress(UpstreamUnavailable):  # the outcome is decided; Depot expires unfinished builds
            self._call(BUILDS, "FinishBuild", {"buildId": depot_build, "result": result})

    def _call(self, service: str, method: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post(
                f"/{service}/{method}",
                json=body,
                headers={"Authorization": f"Bearer {self._token}", "Connect-Protocol-Version": "1"},
            )
        except httpx.HTTPError as e:
            raise UpstreamUnavailable(f"Depot did not answer {method}: {e}", retry_after=10) from e
        if response.status_code != 200:
            try:
                error = response.json()
                detail = f"{error.get('code')}: {error.get('message')}"
            except ValueError:
                detail = f"HTTP {response.status_code}"
            if response.status_code in (401, 403):
                raise BuildFailed(f"Depot refused {method} ({detail}): check STARFORM_DEPOT_TOKEN")
            raise UpstreamUnavailable(f"Depot {method} failed ({detail})", retry_after=10)
        return response.json()  # type: ignore[no-any-return]
