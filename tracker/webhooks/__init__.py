"""Webhooks: other systems told of what happens in tracker, signed, from the job queue."""
