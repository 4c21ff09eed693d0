"""The job queue: work that does not belong inside a request.

Huey carries it: its SQLite storage (instance/queue.db) needs no set-up, and Redis serves
production when `TRACKER_REDIS_URL` is set. `tracker worker` runs the jobs with bounded
concurrency; heavy work (rendering, parsing) runs in a child process with its own time
and memory limits, so a runaway job ends that process and the job says why.

- `queue`: the Huey instance of an app and how to put work on it;
- `tasks`: what the queue runs (reports, imports, reminders and mail, housekeeping);
- `limits`: a child process with bounded time and memory, and the reasons it died.
"""
