"""Reminders and overdue alerts: in-app notifications and a daily e-mail digest."""
