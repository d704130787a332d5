"""The desired-state wire types: validation and the content-hash ETag."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from starbase.contracts import Artifact, DesiredState, WorkloadSpec

DIGEST = "sha256:" + "ab" * 32
CLUSTER = uuid.UUID("00000000-0000-0000-0000-000000000001")


def workload(**changes: object) -> WorkloadSpec:
    fields: dict[str, object] = {
        "workspace": "acme",
        "app": "web",
        "environment": "production",
        "release": "v7",
        "release_id": uuid.UUID("00000000-0000-0000-0000-000000000007"),
        "artifact": Artifact(kind="slug", ref="slugs/web.tar.gz", digest=DIGEST),
        "env": {"DATABASE_URL": "postgres://x"},
        "namespace": "sf-acme-production",
    }
    fields.update(changes)
    return WorkloadSpec(**fields)  # type: ignore[arg-type]


def test_etag_is_stable_for_equal_content() -> None:
    first = DesiredState(cluster_id=CLUSTER, generation=3, workloads=[workload()])
    second = DesiredState.model_validate_json(first.model_dump_json())
    assert first.etag() == second.etag()
    assert first.etag().startswith('"') and first.etag().endswith('"')


def test_etag_changes_when_anything_changes() -> None:
    base = DesiredState(cluster_id=CLUSTER, generation=3, workloads=[workload()])
    tags = {
        base.etag(),
        DesiredState(cluster_id=CLUSTER, generation=4, workloads=[workload()]).etag(),
        DesiredState(cluster_id=CLUSTER, generation=3, workloads=[workload(replicas=2)]).etag(),
        DesiredState(cluster_id=CLUSTER, generation=3, workloads=[workload(env={"A": "1"})]).etag(),
    }
    assert len(tags) == 4


def test_workload_key_identifies_app_environment() -> None:
    assert workload().key == "acme/web/production"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("app", "Web_App"),
        ("release", "7"),
        ("env", {"lower-case": "x"}),
        ("port", 70000),
        ("replicas", -1),
    ],
)
def test_bad_values_are_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        workload(**{field: value})
    assert field in str(info.value)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        DesiredState.model_validate({"cluster_id": str(CLUSTER), "generation": 1, "workloads": [], "extra": 1})


def test_artifact_digest_must_be_sha256() -> None:
    with pytest.raises(ValidationError):
        Artifact(kind="image", ref="registry/app", digest="md5:abc")
