"""Cookie and tag scanner: the live site against the privacy map, in every consent state.

browser.py drives Chromium (crawl, consent states, regions, what is recorded); compare.py turns what
was seen into findings against the map; report.py writes the HTML and JSON reports. These three
need no Django, so `mamori scan --map PATH` runs in CI with nothing configured. models.py,
services.py, jobs.py and the console pages keep the history (docs/scanner.md).
"""
