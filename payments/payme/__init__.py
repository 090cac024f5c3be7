"""Payme: the merchant side of its JSON-RPC API and its checkout links."""
