"""One module per page, each with its route constant and its substate beside it."""
