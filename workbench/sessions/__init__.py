"""workbench.sessions"""
