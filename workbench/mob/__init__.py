"""workbench.mob"""
