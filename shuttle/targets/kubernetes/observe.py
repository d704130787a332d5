"""From what the API server shows (a Deployment and its pods) to the report Starbase gets for one
workload: ready vs desired replicas, restarts, CrashLoopBackOff, image pull errors and the last
termination reason. A release whose pods keep restarting without ever becoming ready counts one failed
rollout per restart — the same signal the local runtime gives, so auto-rollback works here too. Pure."""

from __future__ import annotations

from typing import Any

from shuttle.targets.kubernetes.manifests import RELEASE, Obj
from starbase.contracts import WorkloadReport, WorkloadSpec

PULL_ERRORS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
CRASH = "CrashLoopBackOff"


def _statuses(pod: Obj) -> list[dict[str, Any]]:
    return list((pod.get("status") or {}).get("containerStatuses") or [])


def _exit_reason(status: dict[str, Any]) -> str | None:
    for state in (status.get("lastState") or {}, status.get("state") or {}):
        ended = state.get("terminated")
        if ended:
            reason = ended.get("reason") or "Terminated"
            return f"{reason} (exit code {ended.get('exitCode')})" + (
                f": {ended['message'][:200]}" if ended.get("message") else ""
            )
    return None


def workload_report(spec: WorkloadSpec, deployment: Obj | None, pods: list[Obj], problem: str | None) -> WorkloadReport:
    base = {
        "workspace": spec.workspace,
        "app": spec.app,
        "environment": spec.environment,
        "desired_replicas": spec.replicas,
    }
    if problem is not None or deployment is None:
        return WorkloadReport(
            **base,
            release=None,
            phase="failed" if problem else "pending",
            ready_replicas=0,
            failure="infrastructure" if problem else None,
            last_exit_reason=problem,
        )
    labels = (deployment.get("metadata") or {}).get("labels") or {}
    running_release = labels.get(RELEASE)
    current = [p for p in pods if ((p.get("metadata") or {}).get("labels") or {}).get(RELEASE) == spec.release]
    statuses = [s for p in current for s in _statuses(p)]
    ready = sum(1 for p in current if all(s.get("ready") for s in _statuses(p)) and _statuses(p))
    restarts = sum(int(s.get("restartCount") or 0) for p in pods for s in _statuses(p))
    waiting = {((s.get("state") or {}).get("waiting") or {}).get("reason") for s in statuses}
    crash_looping = CRASH in waiting
    pulling = bool(waiting & PULL_ERRORS)
    reasons = [r for r in (_exit_reason(s) for s in statuses) if r]
    failed_rollouts, failure = 0, None
    if ready == 0 and pulling:
        failure = "infrastructure"
        reasons.insert(0, "image pull failed: " + ", ".join(sorted(waiting & PULL_ERRORS)))
    elif ready == 0 and statuses:
        failed_rollouts = max(int(s.get("restartCount") or 0) for s in statuses)
        failure = "application" if failed_rollouts else None
    status = deployment.get("status") or {}
    settled = (status.get("observedGeneration") or 0) >= ((deployment.get("metadata") or {}).get("generation") or 0)
    if crash_looping:
        phase = "crash_looping"
    elif spec.replicas == 0:
        phase = "stopped"
    elif ready >= spec.replicas and settled and running_release == spec.release:
        phase = "running"
    elif ready > 0:
        phase = "degraded" if int(status.get("updatedReplicas") or 0) >= spec.replicas else "rolling_out"
    else:
        phase = "rolling_out" if current else "pending"
    return WorkloadReport(
        **base,
        release=spec.release if running_release == spec.release else running_release,
        release_id=spec.release_id if running_release == spec.release else None,
        phase=phase,
        ready_replicas=min(ready, 10_000),
        restarts=restarts,
        crash_looping=crash_looping,
        failed_rollouts=failed_rollouts,
        failure=failure,
        last_exit_reason=reasons[0][:1024] if reasons else None,
    )
