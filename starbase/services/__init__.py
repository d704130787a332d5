"""Use cases: keyword-only ``verb_noun`` functions over a unit of work and ports, returning DTOs.

Stardeck's state handlers, the HTTP routes and the CLI call these; none of them holds business logic.
"""
