# syntax=docker/dockerfile:1
# The InsightBoard image: one image for web (the default command), worker, beat
# and migrate; docker-compose.yml picks the command per service.
FROM python:3.11-slim

# gunicorn takes its worker count from WEB_CONCURRENCY: about two per core; set it per
# host in the env file. Measured with bench/pages.py on 2 cores, 8 connections: 3 or 4
# sync workers serve 35-45 % more than 2 at a lower p99; 2 workers of 4 threads
# (gthread) serve no more, with a worse p99 and a slower 304 for the polled round
# (the GIL: these pages are CPU, not waiting). So sync workers, 4 for 2 cores.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=4

RUN groupadd --system --gid 1000 insightboard \
    && useradd --system --uid 1000 --gid insightboard --no-create-home \
        --home-dir /app --shell /usr/sbin/nologin insightboard

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. pyproject.toml
# declares no packages, so installing the project pulls only its dependencies,
# pinned by constraints.txt; README.md is the project's readme, which the build
# reads for its metadata.
COPY pyproject.toml constraints.txt README.md ./
RUN pip install -c constraints.txt . \
    && rm -rf build ./*.egg-info

# The code stays root-owned so the app cannot rewrite itself; only var/ (static
# files, and the embedded fallbacks if a URL is ever left unset) is the app's.
COPY . .
RUN mkdir -p var && chown insightboard:insightboard var

USER insightboard

# Production settings need a SECRET_KEY; this throwaway one exists only for this
# RUN step and is not kept in the image's environment.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret \
    python manage.py collectstatic --noinput

EXPOSE 8000

# /healthz checks the database and the broker. The Host header is SITE_URL's, so
# the probe passes ALLOWED_HOSTS without adding 127.0.0.1 to it; http.client
# follows no redirects, so anything but a 200 fails.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import http.client, os, sys, urllib.parse; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=8); c.request('GET', '/healthz', headers={'Host': urllib.parse.urlsplit(os.environ.get('SITE_URL', 'http://localhost:8000')).netloc}); sys.exit(c.getresponse().status != 200)"]

# --worker-tmp-dir: the workers' heartbeat files live in memory, not on the
# overlay filesystem, where a slow write can get a healthy worker killed.
# No control socket: nothing here uses gunicornc, and its default home under
# $HOME is not writable by the app user. Access log to stdout; errors to stderr.
# --timeout 30: the slowest page measured is well under a second, so a worker stuck
# for 30 s is stuck. --max-requests with jitter: each worker is replaced after about
# a thousand requests, not all at once, so a slow leak never grows.
CMD ["gunicorn", "insightboard.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "30", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--access-logfile", "-"]
