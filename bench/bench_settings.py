"""The portal's settings plus two reference views (bench_urls) and a query counter, for bench/pages.py only."""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

ROOT_URLCONF = "bench_urls"
# First, so that it counts the queries of every other middleware too (session, user, 2FA, audit).
MIDDLEWARE = ["bench_urls.count_queries", *MIDDLEWARE]
