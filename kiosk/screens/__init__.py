"""The kiosk's screens, one per step of the citizen's session."""
