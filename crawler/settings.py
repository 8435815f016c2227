"""Scrapy settings for aiwatch crawls, built from the `[crawler]` section of the config.

Every setting aiwatch changes from Scrapy's defaults is here, alphabetically, with why.
"""

from __future__ import annotations

from typing import Any


def scrapy_settings(crawler_config: dict[str, Any], database_url: str) -> dict[str, Any]:
    c = crawler_config
    return {
        # The store the pipeline writes to and the middlewares read validators from.
        "AIWATCH_DATABASE_URL": database_url,
        # Base of the exponential backoff between retries (seconds): 0.5, 1, 2, ...
        "AIWATCH_RETRY_BACKOFF": float(c.get("retry_backoff", 0.5)),
        # Be gentle with news sites and regulators: adapt to their latency.
        "AUTOTHROTTLE_ENABLED": bool(c["autothrottle"]),
        "AUTOTHROTTLE_START_DELAY": float(c["download_delay"]),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(c["concurrent_per_domain"]),
        # Scrapy starts this many tasks for the output of every response, and an article
        # page yields one item: 100 (the default) costs more than extracting the page.
        "CONCURRENT_ITEMS": 4,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(c["concurrent_per_domain"]),
        "COOKIES_ENABLED": False,
        "DNS_TIMEOUT": min(20, int(c["timeout"])),
        "DOWNLOAD_DELAY": float(c["download_delay"]),
        # Oversized pages (and decompressed gzip bombs) are cancelled, not read into memory.
        "DOWNLOAD_MAXSIZE": int(c["max_page_bytes"]),
        "DOWNLOAD_TIMEOUT": int(c["timeout"]),
        "DOWNLOAD_WARNSIZE": int(c["max_page_bytes"]) // 2,
        # Every middleware runs for every page: the ones aiwatch has no use for are off
        # (no proxies, logins or cookies; no crawl depth, since articles are one hop from
        # an entry point; no domain filter, since listings may link to other sites; no
        # byte counts or check for copied internal meta keys).
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
            "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            "crawler.middlewares.ConditionalGetMiddleware": 560,
        },
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
        "EXTENSIONS": {
            "scrapy.extensions.memusage.MemoryUsage": None,
            "scrapy.extensions.logstats.LogStats": None,
            "scrapy.extensions.feedexport.FeedExporter": None,
        },
        "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": 300},
        "LOG_ENABLED": True,
        "LOG_INSTALL_ROOT_HANDLER": False,  # aiwatch's own structured handler logs
        "LOG_LEVEL": "WARNING",
        "REDIRECT_MAX_TIMES": 5,
        "REMOTE_CONTROL_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "RETRY_TIMES": int(c["retries"]),
        "ROBOTSTXT_OBEY": bool(c["obey_robots"]),
        "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": str(c["user_agent"]),
        # A check for spider authors that reads and parses the spider's source at start-up.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
    }
