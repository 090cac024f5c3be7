"""Backend-only response and view models; wire models shared with kiosks are in contracts."""
