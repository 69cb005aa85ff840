#!/usr/bin/python3
"""The container's health check: Patroni's REST API answers /health with 200 while its PostgreSQL runs
(primary or standby). A file of its own: podman 4.3 splits a health check's arguments at spaces."""
import sys
import urllib.request

try:
    urllib.request.urlopen("http://127.0.0.1:8008/health", timeout=3)
except Exception as error:  # refused, timed out, or 503
    sys.exit(str(error))
