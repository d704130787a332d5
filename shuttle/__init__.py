"""Shuttle: the agent that applies Starbase's desired state to one cluster.

fetch desired state -> observe what exists -> pure ``plan(desired, actual)`` -> apply to a target
(local | kubernetes) -> report. It imports from Starbase only ``starbase.contracts`` and talks to it over
HTTP, so it installs and starts without the control plane's dependencies.
"""

__version__ = "0.1.0"
