"""workbench: a keyboard-driven terminal workbench for AI agents."""

__version__ = "0.1.0"
