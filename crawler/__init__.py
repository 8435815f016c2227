"""The crawler: Scrapy spiders that turn feeds, sitemaps and listing pages into stored
articles. Spiders find pages, `extract` turns a page into an article, the store pipeline
saves it; nothing here knows about entities, stories or alerts."""
