"""Device interfaces, real drivers and wire-level simulators. Knows nothing of kiosks or cases."""
