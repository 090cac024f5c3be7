"""Widgets of the kiosk screens: buttons, keyboards, QR image, header, idle warning."""
