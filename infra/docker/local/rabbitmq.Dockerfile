# fleet-local/rabbitmq: a stand-in for the official rabbitmq:*-management image where no registry is reachable, built
# from Debian's rabbitmq-server by infra/docker/local-images.sh. Same ports (5672, 15672), volume and variables.
ARG BASE_IMAGE=fleet-local/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends rabbitmq-server \
    && rm -rf /var/lib/apt/lists/* \
    && rabbitmq-plugins --offline enable rabbitmq_management \
    && rm -rf /var/lib/rabbitmq/mnesia
COPY rabbitmq-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/rabbitmq
EXPOSE 5672 15672
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["/usr/lib/rabbitmq/bin/rabbitmq-server"]
