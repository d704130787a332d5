"""Clusters: every cluster the workspace can use, with region, kind, heartbeat lease and last report."""

from __future__ import annotations

import reflex as rx

from starbase.services import clusters
from stardeck.backend import starbase
from stardeck.layout import page as template
from stardeck.state import SessionState

ROUTE = "/clusters"
LEASE_COLORS = {"ready": "green", "suspect": "amber", "offline": "red", "pending": "gray"}


class ClustersState(SessionState):
    clusters: list[dict[str, str]] = []

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        found = clusters.list_clusters(uow=starbase().uow, principal=self.principal())
        self.clusters = [
            {
                "name": c.name,
                "region": c.region,
                "kind": c.kind,
                "lease": c.lease_state,
                "workloads": str(c.workloads),
                "shared": "shared" if c.shared else "this workspace",
                "heartbeat": c.last_heartbeat_at.strftime("%H:%M:%S") if c.last_heartbeat_at else "never",
            }
            for c in found
        ]
        return None


def page() -> rx.Component:
    columns = ("Cluster", "Region", "Kind", "Lease", "Workloads", "Owner", "Last report")
    return template(
        rx.heading("Clusters", size="7"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(c) for c in columns])),
            rx.table.body(
                rx.foreach(
                    ClustersState.clusters,
                    lambda c: rx.table.row(
                        rx.table.cell(c["name"]),
                        rx.table.cell(c["region"]),
                        rx.table.cell(c["kind"]),
                        rx.table.cell(
                            rx.badge(c["lease"], color_scheme=rx.match(c["lease"], *LEASE_COLORS.items(), "gray"))
                        ),
                        rx.table.cell(c["workloads"]),
                        rx.table.cell(c["shared"]),
                        rx.table.cell(c["heartbeat"]),
                        id="cluster-" + c["name"],
                    ),
                )
            ),
            width="100%",
        ),
        rx.text(
            "Register another: ", rx.code("starform clusters register NAME --region R"), size="2", color_scheme="gray"
        ),
    )
