# A gobgpd peer for the compose topology (Debian's gobgpd package).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends gobgpd \
    && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["gobgpd", "-t", "toml", "--api-hosts", "127.0.0.1:50051", "--pprof-disable"]
CMD ["-f", "/etc/gobgpd/gobgpd.toml"]
