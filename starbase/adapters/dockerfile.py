"""Dockerfiles from build plans, for builders that build images (Depot). The image runs as a non-root
user, listens on ``$PORT`` and starts the plan's command; a repository's own Dockerfile is used as is."""

from __future__ import annotations

import json

from starbase.ports import BuildPlan

BASES = {"python": "python:3.12-slim", "node": "node:22-slim", "go": "golang:1.23", "procfile": "debian:bookworm-slim"}
USER = "10001"


def dockerfile_for(plan: BuildPlan) -> str:
    family = plan.provider.split("/")[0].split(" ")[0]
    if plan.static_dir is not None and not plan.start:
        return _static(plan)
    if family == "go":
        return _go(plan)
    base = BASES.get(family, BASES["procfile"])
    lines = [f"FROM {base}", "WORKDIR /app", "ENV PORT=8080 PYTHONUNBUFFERED=1", "COPY . ."]
    lines += [f"RUN {command}" for command in (*plan.install, *plan.build)]
    lines += [
        f"RUN chown -R {USER}:{USER} /app",
        f"USER {USER}",
        f"EXPOSE {plan.port}",
        f"CMD {json.dumps(['bash', '-c', plan.start])}",
    ]
    return "\n".join(lines) + "\n"


def _go(plan: BuildPlan) -> str:
    steps = "\n".join(f"RUN {command}" for command in (*plan.install, *plan.build))
    return (
        f"FROM {BASES['go']} AS build\nWORKDIR /src\nCOPY . .\n{steps}\n"
        "FROM gcr.io/distroless/static-debian12:nonroot\nWORKDIR /app\n"
        "COPY --from=build /src/.starform-bin /app/.starform-bin\nENV PORT=8080\n"
        f'EXPOSE {plan.port}\nCMD ["/app/.starform-bin"]\n'
    )


def _static(plan: BuildPlan) -> str:
    steps = "\n".join(f"RUN {command}" for command in (*plan.install, *plan.build))
    build = f"FROM {BASES['node']} AS build\nWORKDIR /src\nCOPY . .\n{steps}\n" if steps else ""
    source = f"--from=build /src/{plan.static_dir}" if steps else str(plan.static_dir)
    return (
        f"{build}FROM caddy:2-alpine\nCOPY {source} /srv\nENV PORT=8080\nEXPOSE {plan.port}\n"
        'CMD ["caddy", "file-server", "--root", "/srv", "--listen", ":8080"]\n'
    )
