"""Celery baseline for the Fleet benchmark: one trivial task on a dedicated queue.

Broker: env CELERY_BROKER_URL (amqp://...). Results come back over the same
RabbitMQ through the rpc:// backend, so no other service is needed.
"""
import os

from celery import Celery

QUEUE = os.environ.get("CELERY_BENCH_QUEUE", "celery-bench")

app = Celery(
    "celerybench",
    broker=os.environ.get("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    backend="rpc://",
)

app.conf.update(
    # Everything goes through a dedicated queue so the benchmark cannot take or
    # leave messages on any other queue of a shared broker.
    task_default_queue=QUEUE,
    task_default_exchange=QUEUE,
    task_default_routing_key=QUEUE,
    task_create_missing_queues=True,
    # Celery defaults otherwise (json, acks_late=False, prefetch multiplier 4):
    # the stock configuration, neither tuned for nor crippled in this benchmark.
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # No per-task "started" state messages, no monitoring events (both defaults).
    task_track_started=False,
    worker_send_task_events=False,
    task_send_sent_event=False,
)


@app.task(name="bench.noop")
def noop(x):
    """Mirrors Fleet's Python noop handler: trivial work, small result."""
    return {"ok": True, "x": x}


@app.task(name="bench.square")
def square(x):
    """The trivial function of the chunks comparison (Fastmap's /map maps `x * x` too)."""
    return x * x
