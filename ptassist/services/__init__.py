"""Use cases over the store and the engine: plain Python, used by the CLI and the desktop app."""
