"""``shuttle plan``: a desired state (JSON, as Starbase serves it) rendered to Kubernetes objects as a
YAML stream or a JSON list, with no cluster contacted. Uses the current API versions (policy/v1)."""

from __future__ import annotations

import json

import yaml
from pydantic import ValidationError

from shuttle.config import ShuttleConfigError, ShuttleSettings
from shuttle.targets.kubernetes.connect import options
from shuttle.targets.kubernetes.manifests import render
from starbase.contracts import DesiredState


def plan_offline(text: str, settings: ShuttleSettings, *, output: str = "yaml") -> tuple[str, dict[str, str]]:
    try:
        desired = DesiredState.model_validate_json(text)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise ShuttleConfigError(f"--desired-state: {where}: {first['msg']}") from None
    objects, problems = render(desired, options(settings))
    if output == "json":
        return json.dumps(objects, indent=2), problems
    return yaml.safe_dump_all(objects, sort_keys=False).rstrip(), problems
