"""Reporters: render findings as text, JSON, SARIF or GitHub annotations."""
