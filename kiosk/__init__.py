"""The kiosk app: the citizen's touchscreen session, its screens, its devices and backend link."""
