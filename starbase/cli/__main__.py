"""``python -m starbase.cli``: the same as the ``starform`` command."""

from starbase.cli import main

main()
