"""Pelican settings for local builds (build.py fills in the sources and the output folder)."""

AUTHOR = "Alignment Concepts"
SITENAME = "Alignment Concepts"
SITE_DESCRIPTION = "Original research on the concepts AI alignment arguments rely on: definitions, toy models, estimates and reviews."
SITEURL = ""
CANONICAL_URL = "https://alignment-concepts.github.io/alignment-concepts"
REPO_URL = "https://github.com/alignment-concepts/alignment-concepts"
RELATIVE_URLS = True

PATH = "."
THEME = "theme"
THEME_STATIC_DIR = "theme"
THEME_STATIC_PATHS = ["static"]
STATIC_PATHS: list = []
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"
DEFAULT_PAGINATION = 20
SUMMARY_MAX_LENGTH = 60

ARTICLE_URL = "{category}/{slug}/"
ARTICLE_SAVE_AS = "{category}/{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = "archives.html"
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "archives", "agenda", "bibliography", "search", "404"]
AGENDA_SAVE_AS = "agenda/index.html"
BIBLIOGRAPHY_SAVE_AS = "bibliography/index.html"
SEARCH_SAVE_AS = "search/index.html"
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None}
PAGINATION_PATTERNS = ((1, "{url}", "{save_as}"), (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"))

FEED_DOMAIN = CANONICAL_URL
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = 50  # the newest pieces; a feed carrying every piece in full grows without bound
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None

DELETE_OUTPUT_DIRECTORY = False
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
IGNORE_FILES = [".#*", "*~"]
SLUGIFY_SOURCE = "basename"
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True}
