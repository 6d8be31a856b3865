#!/bin/sh
# Runs as root inside `unshare --mount --uts --propagation private`: turns the new namespaces into
# the simulated VM (hostname, home, /usr/local/bin, /etc/hosts), then becomes the VM's sshd (same PID).
# The mounts are private to the namespace: they vanish with its last process.
set -eu
name=$1 home_source=$2 home_target=$3 bin_source=$4 etc_hosts=$5 sshd_config=$6

hostname "$name"
mount --bind "$home_source" "$home_target"
mount --bind "$bin_source" /usr/local/bin
mount --bind "$etc_hosts" /etc/hosts
exec /usr/sbin/sshd -D -e -f "$sshd_config"
