"""Core layer: errors, units, exact numerics, rules, the value model and the planning kernel.

Nothing here imports a planner, a renderer or the command line.
"""
