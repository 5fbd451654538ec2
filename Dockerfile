# syntax=docker/dockerfile:1
# Build: docker build -t prepbot .
# Run:   docker run -v prepbot-data:/data -v $PWD/config.yaml:/config.yaml:ro -e DISCORD_TOKEN prepbot
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN sh .ci/build /out/prepbot && mkdir -p /out/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/prepbot /prepbot
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
ENV PREPBOT_DB=/data/prepbot.db
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["/prepbot", "healthcheck"]
ENTRYPOINT ["/prepbot"]
CMD ["serve", "--config", "/config.yaml"]
