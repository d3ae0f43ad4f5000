"""ptassist: clinical notes and a live differential checklist for lateral thigh and knee pain."""

__version__ = "0.1.0"
