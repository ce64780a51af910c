from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files, without rewriting JavaScript source-map comments:
    vendored libraries reference .map files that are not shipped, and Django's default
    JS pattern would stop collectstatic on them."""

    patterns = tuple(p for p in CompressedManifestStaticFilesStorage.patterns if p[0] != "*.js")
