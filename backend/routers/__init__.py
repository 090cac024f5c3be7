"""HTTP routes, one module per area; each hands its work to the matching service."""
