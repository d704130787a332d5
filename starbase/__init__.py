"""Starbase: Starform's control plane. It decides what runs; Shuttle applies it.

Layers, top to bottom (enforced by import-linter, see pyproject.toml): ``cli`` -> ``http | jobs`` ->
``bootstrap`` -> ``services | adapters`` -> ``uow`` -> ``ports`` -> ``models`` -> ``crypto | db`` ->
``contracts | config | logsetup`` -> ``errors``.
"""
