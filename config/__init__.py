"""Settings and kiosk profiles. Imports nothing else of the project."""
