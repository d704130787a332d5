"""Stardeck in Debian's Chromium, timed by Chromium itself: the Apps page with 200 apps (navigation
timing, and the moment the 200th row is in the DOM after the websocket's on_load), against the same page
with 1 app; and the round trip of one state event (click "Reveal values" → the button's label changes in
the DOM over the websocket) against a plain ``fetch('/healthz')`` from the same page (the baseline).

    .venv/bin/python bench/ui.py [--apps 200] [--clicks 30]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from starbase.bootstrap import bootstrap  # noqa: E402
from starbase.config import load_settings  # noqa: E402
from starbase.services.access import SYSTEM  # noqa: E402
from starbase.services.apps import create_app  # noqa: E402
from starbase.services.auth import create_login_link  # noqa: E402
from starbase.services.dto import AppCreate, VarChange  # noqa: E402
from starbase.services.variables import change_app_vars  # noqa: E402
from tests.e2e.browser import chromium  # noqa: E402

LOADED = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, rows: performance.now()};
}"""
CLICK = """() => new Promise(resolve => {
  const b = document.querySelector('#reveal-vars');
  const before = b.innerText;
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    if (b.innerText !== before) { obs.disconnect(); resolve(performance.now() - t0); }
  });
  obs.observe(b, {subtree: true, childList: true, characterData: true});
  b.click();
})"""
FETCH = """async () => { const t0 = performance.now(); await fetch('/healthz', {cache: 'no-store'});
  return performance.now() - t0; }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(data: Path, numbers: range) -> None:
    sb = bootstrap(load_settings(data_dir=data))
    try:
        for n in numbers:
            body = AppCreate(name=f"app-{n:03d}", repo_url="https://git.example/app.git")
            create_app(
                uow=sb.uow, clock=sb.clock, principal=SYSTEM, workspace="default", body=body, apps_domain="localhost"
            )
        if 0 not in numbers:
            return
        change_app_vars(  # the App page's "Reveal values" button needs a variable
            uow=sb.uow,
            box=sb.secrets,
            clock=sb.clock,
            principal=SYSTEM,
            workspace="default",
            app="app-000",
            change=VarChange(set={"SECRET": "value"}),
        )
    finally:
        sb.close()


def link(data: Path) -> str:
    sb = bootstrap(load_settings(data_dir=data))
    try:
        return f"/auth/local?token={create_login_link(uow=sb.uow, clock=sb.clock, login='admin')}"
    finally:
        sb.close()


def start(data: Path) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STARFORM_", "SHUTTLE_"))}
    env["STARFORM_LOG_LEVEL"] = "WARNING"
    cmd = [str(BIN / "starform"), "up", "--port", str(port), "--data-dir", str(data), "--apps-port", str(free_port())]
    up = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert up.stdout is not None
    deadline = time.monotonic() + 900
    for line in up.stdout:
        if "Starform is up" in line:
            return up, port
        if time.monotonic() > deadline:
            break
    up.kill()
    raise SystemExit("starform up did not come up")


def page_load(browser, port: int, data: Path, expect: int, rounds: int) -> list[dict[str, float]]:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"http://localhost:{port}{link(data)}")
    page.wait_for_url(f"http://localhost:{port}/", timeout=120_000)
    out = []
    for _ in range(rounds):
        page.goto(f"http://localhost:{port}/")
        page.wait_for_function(f"document.querySelectorAll('[id^=app-app-]').length === {expect}", timeout=60_000)
        out.append(page.evaluate(LOADED))
    context.close()
    return out


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--clicks", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="starform-bench-ui-") as tmp:
        data = Path(tmp) / "data"
        up, port = start(data)
        try:
            seed(data, range(1))
            with chromium() as browser:
                one = page_load(browser, port, data, 1, args.rounds)
                seed(data, range(1, args.apps))
                many = page_load(browser, port, data, args.apps, args.rounds)
                page = browser.new_page()
                page.goto(f"http://localhost:{port}{link(data)}")
                page.wait_for_url(f"http://localhost:{port}/", timeout=120_000)
                page.goto(f"http://localhost:{port}/apps/app-000")
                page.click("#tab-variables")
                page.locator("#reveal-vars").wait_for(timeout=60_000)
                clicks = [page.evaluate(CLICK) for _ in range(args.clicks)]
                fetches = [page.evaluate(FETCH) for _ in range(args.clicks)]
        finally:
            up.send_signal(signal.SIGINT)
            up.wait(timeout=60)
    print(f"Apps page, Chromium timings ({args.rounds} loads each, signed in, warm cache):")
    for label, runs in ((" 1 app ", one), (f"{args.apps} apps", many)):
        print(f"  {label}: DOMContentLoaded {summary([r['dcl'] for r in runs])}")
        print(f"  {label}: load event       {summary([r['load'] for r in runs])}")
        print(f"  {label}: all rows in DOM  {summary([r['rows'] for r in runs])}")
    ratio = statistics.median(r["rows"] for r in many) / statistics.median(r["rows"] for r in one)
    print(f"  rows in DOM, {args.apps} apps vs 1 app: {ratio:.2f}x")
    print("State event round trip (click → DOM updated, over the websocket):")
    print(f"  event            {summary(clicks)}")
    print(f"  fetch /healthz   {summary(fetches)}  (baseline)")
    print(f"  event vs fetch: {statistics.median(clicks) / statistics.median(fetches):.2f}x")


if __name__ == "__main__":
    main()
