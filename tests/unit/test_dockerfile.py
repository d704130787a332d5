"""Dockerfiles generated from build plans (for the Depot builder)."""

from __future__ import annotations

from pathlib import Path

from starbase.adapters.dockerfile import dockerfile_for
from starbase.services.detection import detect

APPS = Path(__file__).resolve().parents[1] / "fixtures" / "apps"


def test_a_python_plan_becomes_a_non_root_image_running_its_start_command() -> None:
    text = dockerfile_for(detect(APPS / "flask"))
    lines = text.splitlines()
    assert lines[0] == "FROM python:3.12-slim"
    assert "RUN python3 -m venv .venv" in lines
    assert any(line.startswith("RUN .venv/bin/python -m pip install") for line in lines)
    assert "USER 10001" in lines
    assert lines[-1] == 'CMD ["bash", "-c", ".venv/bin/python -m gunicorn app:app --bind 0.0.0.0:$PORT"]'


def test_a_node_plan_uses_the_node_base_and_its_install() -> None:
    text = dockerfile_for(detect(APPS / "node-express"))
    assert text.startswith("FROM node:22-slim\n") and "RUN npm install --no-audit --no-fund" in text


def test_a_vite_site_is_built_then_served_by_caddy() -> None:
    text = dockerfile_for(detect(APPS / "vite"))
    assert "FROM node:22-slim AS build" in text and "RUN npm run build" in text
    assert "COPY --from=build /src/dist /srv" in text and "FROM caddy:2-alpine" in text


def test_go_builds_in_one_stage_and_runs_in_distroless() -> None:
    text = dockerfile_for(detect(APPS / "go-api"))
    assert "FROM golang:1.23 AS build" in text and "distroless/static-debian12:nonroot" in text
