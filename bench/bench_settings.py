"""The portal's settings plus two reference views (bench_urls), for bench/pages.py only."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
