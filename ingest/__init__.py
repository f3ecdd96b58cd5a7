"""Adapters: each source's format in, `Verbatim` records out."""
