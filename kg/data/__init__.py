"""luocdo package."""
