"""gunicorn settings for the page servers (WSGI, `config.wsgi`).

Pages go to gunicorn's sync workers, websockets to daphne (docs/deployment.md,
"Processes"); `make run` starts both behind config/router.py. Every value
can be overridden on the command line (`--bind`, `--workers`).

* workers: `WEB_CONCURRENCY` (gunicorn's own variable), default 2 per core
  is gunicorn's advice for I/O; on the 2-core reference machine 2 to 3 sync
  workers served the most pages (bench/README.md).
* sync workers: one request per connection, no keep-alive; in production
  nginx buffers slow clients in front of them.
* the client address is the peer's (nginx's); the application reads
  `X-Forwarded-For` itself (config/client_ip.py, TRUSTED_PROXY_COUNT), and
  gunicorn only takes the scheme from nginx's `X-Forwarded-Proto` (it trusts
  that header from 127.0.0.1 by default, `FORWARDED_ALLOW_IPS`).
"""

import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
# Recycle a worker now and then: bounds memory growth of long-lived workers.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
