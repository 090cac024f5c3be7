"""The backend service. Importing this package must stay cheap: kiosks import its contracts."""
