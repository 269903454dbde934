"""The commands: each parses its arguments, prints, and returns an exit code (DESIGN.md)."""
