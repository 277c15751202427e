"""Loaders: turn input files into located documents of a known kind."""
