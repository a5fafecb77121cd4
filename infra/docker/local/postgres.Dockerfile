# fleet-local/postgres: a stand-in for the official postgres image where no registry is reachable, built from Debian's
# postgresql-15 by infra/docker/local-images.sh. Same port (5432), PGDATA, volume and variables.
ARG BASE_IMAGE=fleet-local/debian:bookworm
FROM ${BASE_IMAGE}
# No cluster from the package: the entrypoint makes one in PGDATA.
RUN mkdir -p /etc/postgresql-common/createcluster.d \
    && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/fleet-local.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
