"""What Starform adds around a build's install step, for a small Flask repo built for real: webhook →
job leased → clone → detect → pack → release recorded, separately from the install itself; and a
no-change rebuild with a warm dependency cache against the cold first build, in the same process.

    .venv/bin/python bench/build_overhead.py [--sample flask]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from starbase.adapters import migrations  # noqa: E402
from starbase.bootstrap import Starbase, bootstrap  # noqa: E402
from starbase.config import load_settings  # noqa: E402
from starbase.http import create_app  # noqa: E402
from starbase.services import build_runner, builds, jobqueue, workspaces  # noqa: E402
from starbase.services.access import SYSTEM  # noqa: E402
from starbase.services.apps import create_app as create_starform_app  # noqa: E402
from starbase.services.dto import AppCreate  # noqa: E402

SECRET = "bench-webhook-secret"


def repo(sample: str, where: Path) -> tuple[str, str]:
    path = where / sample
    shutil.copytree(ROOT / "tests" / "fixtures" / "apps" / sample, path)
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "bench"],
    ):
        subprocess.run(["git", *args], cwd=path, check=True, capture_output=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True).stdout.strip()
    return f"file://{path}", sha


def one_build(sb: Starbase, client: TestClient, url: str, sha: str, delivery: str) -> dict[str, float]:
    body = json.dumps({"ref": "refs/heads/main", "after": sha, "repository": {"clone_url": url}}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    t0 = time.perf_counter()
    response = client.post(
        "/webhooks/github",
        content=body,
        headers={"X-Hub-Signature-256": signature, "X-GitHub-Event": "push", "X-GitHub-Delivery": delivery},
    )
    build_id = uuid.UUID(response.json()["builds"][0]["build"])
    job = jobqueue.lease(uow=sb.uow, clock=sb.clock, owner="bench", kinds=(builds.BUILD_JOB,))
    t_leased = time.perf_counter()
    state = build_runner.run_build_job(
        uow=sb.uow,
        clock=sb.clock,
        box=sb.secrets,
        logs=sb.logs,
        source=sb.source,
        builder=sb.builder,
        work_root=sb.work_root,
        job=job,
        owner="bench",  # type: ignore[arg-type]
        apps_domain="localhost",
    )
    t_end = time.perf_counter()
    assert state == "succeeded", state
    _, lines = builds.build_logs(uow=sb.uow, logs=sb.logs, principal=SYSTEM, build_id=build_id, limit=5000)
    stamps: dict[str, float] = {}
    for item in lines:
        text = item.line.line
        for mark in ("--> cloning", "--> detecting", "--> building", "--> uploading", "--> succeeded"):
            if text.startswith(mark) and mark not in stamps:
                stamps[mark] = item.line.ts.timestamp()
        if (text.startswith("$ ") or "reusing the cache" in text) and "install_start" not in stamps:
            stamps["install_start"] = item.line.ts.timestamp()
        if text == "packing the slug":
            stamps["install_end"] = item.line.ts.timestamp()
    install = stamps["install_end"] - stamps["install_start"]
    total = t_end - t0
    return {
        "total": total,
        "install": install,
        "overhead": total - install,
        "webhook_to_leased": t_leased - t0,
        "clone": stamps["--> detecting"] - stamps["--> cloning"],
        "detect": stamps["--> building"] - stamps["--> detecting"],
        "pack_and_release": stamps["--> succeeded"] - stamps["install_end"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="flask")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="starform-bench-") as tmp:
        settings = load_settings(data_dir=Path(tmp) / "data", github_webhook_secret=SECRET)
        settings.data_dir.mkdir(parents=True)
        migrations.upgrade(settings.resolved_database_url)
        sb = bootstrap(settings)
        workspaces.admin_create_token(uow=sb.uow, clock=sb.clock, workspace="bench", role="owner")
        url, sha = repo(args.sample, Path(tmp))
        create_starform_app(
            uow=sb.uow,
            clock=sb.clock,
            principal=SYSTEM,
            workspace="bench",
            body=AppCreate(name="web", repo_url=url),
            apps_domain="localhost",
        )
        client = TestClient(create_app(sb))
        cold = one_build(sb, client, url, sha, "cold")
        warm = one_build(sb, client, url, sha, "warm")
        sb.close()
    print(f"sample app: {args.sample} (real install from the package registry)")
    print(f"{'':<28}{'cold cache':>12}{'warm cache':>12}")
    for key, label in (
        ("webhook_to_leased", "webhook -> job leased"),
        ("clone", "clone"),
        ("detect", "detect"),
        ("pack_and_release", "pack + release recorded"),
        ("overhead", "Starform overhead, total"),
        ("install", "install + build commands"),
        ("total", "whole build"),
    ):
        print(f"{label:<28}{cold[key] * 1000:>10.0f}ms{warm[key] * 1000:>10.0f}ms")
    print(
        f"no-change rebuild with a warm cache takes {warm['total'] / cold['total']:.2f}x the cold build "
        f"({cold['total'] / warm['total']:.1f}x faster)"
    )


if __name__ == "__main__":
    main()
