"""Assignments of tasks to agencies, their submissions and the workflow."""
