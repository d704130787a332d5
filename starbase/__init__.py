"""Starbase: Starform's control plane. It decides what runs; Shuttle applies it.

Layers (enforced by import-linter, see pyproject.toml):
``http | jobs | cli`` -> ``bootstrap`` -> ``services | adapters`` -> ``uow`` -> ``ports`` -> ``models``
-> ``crypto | db`` -> ``contracts | errors | config | logsetup``.
"""
