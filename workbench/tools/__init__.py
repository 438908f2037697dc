"""workbench.tools"""
