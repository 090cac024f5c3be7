"""Face detection, quality, liveness, encoding and matching: pure computation on images."""
