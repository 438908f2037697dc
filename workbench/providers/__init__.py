"""workbench.providers"""
