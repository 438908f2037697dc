"""workbench.runtime"""
