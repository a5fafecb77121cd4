#!/bin/bash
# Entrypoint of the fleet-local RabbitMQ stand-in: honours the official image's RABBITMQ_DEFAULT_USER, _PASS and _VHOST
# (applied, as there, when the node's database is first created), logs to the console, runs as the rabbitmq user.
set -euo pipefail
{
  echo "listeners.tcp.default = 5672"
  echo "management.tcp.port = 15672"
  echo "log.console = true"
  echo "log.console.level = info"
  echo "log.file = false"
  if [[ -n ${RABBITMQ_DEFAULT_USER:-} ]]; then echo "default_user = $RABBITMQ_DEFAULT_USER"; fi
  if [[ -n ${RABBITMQ_DEFAULT_PASS:-} ]]; then echo "default_pass = $RABBITMQ_DEFAULT_PASS"; fi
  if [[ -n ${RABBITMQ_DEFAULT_VHOST:-} ]]; then echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"; fi
  # Like the official image: the default user may connect from other containers, not only from loopback.
  echo "loopback_users = none"
} > /etc/rabbitmq/rabbitmq.conf
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
export HOME=/var/lib/rabbitmq
exec setpriv --reuid rabbitmq --regid rabbitmq --init-groups "$@"
