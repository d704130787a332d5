"""A local stand-in for Depot's Connect-RPC API (HTTP/JSON): projects per organization token, builds with
one-time build tokens, and their recorded results. Served over real HTTP for tests."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.servers import free_port


class DepotServer:
    def __init__(self, org_token: str) -> None:
        self.org_token = org_token
        self.projects: dict[str, dict[str, Any]] = {}
        self.builds: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        routes = [
            Route(f"/{service}/{method}", self._handler(method), methods=["POST"])
            for service, method in (
                ("depot.core.v1.ProjectService", "ListProjects"),
                ("depot.core.v1.ProjectService", "CreateProject"),
                ("depot.build.v1.BuildService", "CreateBuild"),
                ("depot.build.v1.BuildService", "FinishBuild"),
                ("depot.build.v1.BuildService", "GetBuild"),
            )
        ]
        self._server = uvicorn.Server(
            uvicorn.Config(Starlette(routes=routes), host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> DepotServer:
        self._thread.start()
        while not self._server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def _handler(self, method: str):  # type: ignore[no-untyped-def]
        async def handle(request: Request) -> JSONResponse:
            if request.headers.get("connect-protocol-version") != "1" and method != "GetBuild":
                return JSONResponse({"code": "invalid_argument", "message": "missing Connect-Protocol-Version"}, 400)
            body = await request.json()
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            build = self.builds.get(str(body.get("buildId")))
            build_token_ok = method == "GetBuild" and build is not None and token == build["token"]
            if token != self.org_token and not build_token_ok:
                return JSONResponse({"code": "unauthenticated", "message": "invalid token"}, 401)
            self.calls.append(method)
            return JSONResponse(getattr(self, method)(body))

        return handle

    def ListProjects(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"projects": list(self.projects.values())}

    def CreateProject(self, body: dict[str, Any]) -> dict[str, Any]:
        project = {"projectId": f"p{len(self.projects) + 1}", "name": body["name"], "regionId": body["regionId"]}
        self.projects[project["projectId"]] = project
        return {"project": project}

    def CreateBuild(self, body: dict[str, Any]) -> dict[str, Any]:
        build_id = f"b{len(self.builds) + 1}"
        self.builds[build_id] = {"projectId": body["projectId"], "token": secrets.token_hex(8), "result": None}
        return {"buildId": build_id, "buildToken": self.builds[build_id]["token"]}

    def FinishBuild(self, body: dict[str, Any]) -> dict[str, Any]:
        self.builds[body["buildId"]]["result"] = body["result"]
        return {}

    def GetBuild(self, body: dict[str, Any]) -> dict[str, Any]:
        build = self.builds[body["buildId"]]
        return {
            "build": {
                "buildId": body["buildId"],
                "projectId": build["projectId"],
                "status": "BUILD_STATUS_RUNNING" if build["result"] is None else "BUILD_STATUS_FINISHED",
            }
        }
