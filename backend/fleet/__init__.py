"""Fleet operations: live events, staff request dependencies, the offline sweeper."""
