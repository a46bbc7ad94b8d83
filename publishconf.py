"""Production settings for GitHub Pages: the local settings plus the public address."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

CANONICAL_URL = os.environ.get("SITE_URL", CANONICAL_URL)  # noqa: F405
FEED_DOMAIN = CANONICAL_URL
RELATIVE_URLS = True  # the site also works under a sub-path such as /repo/
