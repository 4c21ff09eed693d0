"""The Huey instance of an app, and putting work on it.

Why Huey: one small, well-kept library with both an embedded store (SQLite, so the
default needs no service) and Redis for production, periodic tasks, retries with
backoff and task locks, and a consumer whose concurrency is a number. RQ and Dramatiq
need a broker even on a laptop; Celery's weight buys nothing here.

Each app has its own instance (its storage follows the app's configuration), kept in
`app.extensions`; tasks are registered on it by `tracker.jobs.tasks.register`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Result, TaskWrapper

EXTENSION = "tracker.jobs"


class Queue:
    """An app's Huey instance and its tasks by name."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self.tasks: dict[str, TaskWrapper] = {}

    def enqueue(self, name: str, *args: Any) -> Result | None:
        """Put the task on the queue (in immediate mode: run it now)."""
        return self.tasks[name](*args)


def make_huey(app: Flask) -> Huey:
    config = app.config
    name = str(config["JOB_QUEUE_NAME"])
    immediate = bool(config["JOB_QUEUE_IMMEDIATE"])
    if config["REDIS_URL"]:
        return RedisHuey(name, url=str(config["REDIS_URL"]), immediate=immediate, utc=True)
    path = Path(config["JOB_QUEUE_PATH"] or Path(app.instance_path) / "queue.db")
    if not path.exists():  # private like the database (its WAL takes the same mode)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return SqliteHuey(name, filename=str(path), immediate=immediate, utc=True)


def init_app(app: Flask) -> None:
    from tracker.jobs import tasks

    queue = Queue(make_huey(app))
    tasks.register(queue, app)
    app.extensions[EXTENSION] = queue


def queue_of(app: Flask | None = None) -> Queue:
    return (app or current_app).extensions[EXTENSION]


def enqueue(name: str, *args: Any) -> Result | None:
    return queue_of().enqueue(name, *args)
