"""Fees, payment states and payment-provider protocols."""
