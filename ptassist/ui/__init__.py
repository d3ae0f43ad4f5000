"""The PySide6 desktop app: one module per screen. The only layer that imports Qt."""
