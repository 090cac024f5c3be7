"""Pure computation on face and fingerprint images. No I/O, no devices, no UI."""
