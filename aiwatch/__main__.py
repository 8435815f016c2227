"""`python -m aiwatch`. The guard matters: crawl child processes are started with "spawn",
which imports the parent's main module again."""

from aiwatch.cli import main

if __name__ == "__main__":
    main()
