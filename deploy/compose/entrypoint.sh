#!/bin/sh
# Secrets arrive as files (Compose/Swarm secrets, Kubernetes secret volumes). Every variable named SETTING_FILE
# (e.g. Nexus__Auth__SigningKey_FILE=/run/secrets/jwt_signing_key) becomes SETTING with the file's content, so
# no secret has to sit in the environment of the compose file or in `docker inspect`.
set -eu
for assignment in $(env | grep -o '^[A-Za-z0-9_]*_FILE=' || true); do
  name=${assignment%=}
  target=${name%_FILE}
  file=$(printenv "$name")
  [ -r "$file" ] || { echo "nexus-entrypoint: $name names $file, which cannot be read" >&2; exit 78; }
  export "$target=$(cat "$file")"
  unset "$name"
done
exec "$@"
