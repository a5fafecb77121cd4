#!/bin/bash
# The worker container's entrypoint. It starts as root with CAP_SYS_ADMIN (docker-compose.yml's cap_add) for two
# mount changes the sandboxes need, then runs the worker as the image's "app" user with every capability gone:
#   1. Docker masks parts of /proc with overmounts; the kernel refuses a new procfs in a user namespace (bubblewrap's
#      --proc) while any are left, so they are unmounted. Their files are root's: the app user cannot use them.
#   2. Docker mounts the cgroup v1 controllers read-only; memory, cpu and pids are made writable and given to the app
#      user, so the worker puts each instance in groups of its own below the container's group, with its limits.
# Without the capability (another runtime, or an operator's choice) both are skipped with a warning; the worker then
# reports what it can use (sandbox failures, or resource limits instead of cgroups) in its own log.
set -euo pipefail
warn() { echo "fleet-worker-entrypoint: $*" >&2; }
if [[ $(id -u) == 0 ]]; then
  # Deepest first, so that a mask inside a masked folder goes before that folder.
  while read -r mount_point; do
    umount -l "$mount_point" 2> /dev/null || warn "cannot unmount $mount_point (no CAP_SYS_ADMIN?): sandboxes cannot mount /proc"
  done < <(awk '$5 ~ "^/proc/" { print $5 }' /proc/self/mountinfo | sort -r)
  for controller in memory cpu pids; do
    group=/sys/fs/cgroup/$controller
    [[ -d $group ]] || continue
    if mount -o remount,bind,rw "$group" 2> /dev/null; then
      # New groups take the owner of their parent: the app user's groups, files included.
      chown "$APP_UID:$APP_UID" "$group" "$group/cgroup.procs"
    else
      warn "cannot make $group writable: instances get resource limits instead of cgroups"
    fi
  done
  exec setpriv --reuid="$APP_UID" --regid="$APP_UID" --clear-groups --inh-caps=-all --bounding-set=-all -- "$@"
fi
exec "$@"
