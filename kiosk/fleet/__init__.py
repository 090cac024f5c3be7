"""The kiosk's side of fleet operations: heartbeats, device health, operators' commands."""
